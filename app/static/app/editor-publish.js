/**
 * The editor's publish panel (issue 10). Being built: this stub gives editor.js a module to import.
 */
export function mountPublish(root, editor) {
  root.textContent = "";
}
