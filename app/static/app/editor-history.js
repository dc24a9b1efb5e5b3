/**
 * The editor's history panel (issue 10). Being built: this stub gives editor.js a module to import.
 */
export function mountHistory(root, editor) {
  root.textContent = "";
}
