/**
 * The editor's design panel (issue 10). Being built: this stub gives editor.js a module to import.
 */
export function mountDesign(root, editor) {
  root.textContent = "";
}
