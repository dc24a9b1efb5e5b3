/**
 * Proof files: those of each item (pick or drop files, upload progress, thumbnail, title,
 * visibility, move to the trash with an Undo) and the profile photo.
 *
 * Proofs have their own API (/portfolios/<id>/proofs), outside the versioned autosave: an
 * upload, an edit or a deletion is sent at once and the session is told
 * (`session.updateProofs`), which refreshes the preview. A file can only be attached to an
 * item the server knows: a new item is saved first (`session.flush()`). A refused file (415
 * type, 413 size or quota) is explained with the API's own words.
 */
import { api, upload } from "./api.js";
import { announce, cloneTemplate, showError, slot } from "./dom.js";
import { buildControl } from "./editor-controls.js";
import { t } from "./i18n.js";

const KIND_WORDS = [["application/pdf", "PDF"], ["image/", t("Image")], ["video/", t("Video")],
                    ["audio/", t("Audio")]];

const proofsPath = (session) => `/portfolios/${session.portfolio.id}/proofs`;
const fileUrl = (session, proof, thumbnail = false) => (
  `/api/v1${proofsPath(session)}/${proof.id}/file${thumbnail ? "?thumbnail=1" : ""}`);
const kindOf = (proof) => (
  KIND_WORDS.find(([prefix]) => proof.content_type?.startsWith(prefix))?.[1] || t("File"));
const titleFromFilename = (name) => name.replace(/\.[^.]+$/, "").slice(0, 200);

/** A row of `uploads` naming `file`, with its progress bar. */
function uploadRow(uploads, file) {
  const row = cloneTemplate("tpl-upload");
  const name = slot(row, "name");
  name.id = `upload-${crypto.randomUUID()}`;
  name.textContent = file.name;
  slot(row, "progress").setAttribute("aria-labelledby", name.id);
  uploads.append(row);
  return row;
}

/** The row says why the file was not added, until dismissed. */
function refuse(row, message) {
  slot(row, "progress").remove();
  const error = slot(row, "error");
  error.textContent = message;
  error.hidden = false;
  const dismiss = row.querySelector("[data-action=dismiss]");
  dismiss.hidden = false;
  dismiss.addEventListener("click", () => row.remove());
}

/**
 * Upload `file` with its progress shown in a row of `uploads`; resolves with the proof, or
 * null when it was refused (the row then says why).
 */
async function uploadWithProgress(file, fields, { session, uploads }) {
  const row = uploadRow(uploads, file);
  const form = new FormData();
  form.append("file", file);
  for (const [key, value] of Object.entries(fields)) if (value) form.append(key, value);
  try {
    const proof = await upload(proofsPath(session), form, {
      onProgress: (fraction) => { slot(row, "progress").value = fraction; },
    });
    row.remove();
    session.updateProofs((proofs) => [...proofs, proof]);
    announce(t("“{name}” added.", { name: file.name }));
    return proof;
  } catch (error) {
    if (error.kind !== "signed-out") {
      refuse(row, t("“{name}” was not added: {reason}",
                    { name: file.name, reason: error.message }));
    }
    return null;
  }
}

/** One proof's row: thumbnail or kind, title, visibility, move to the trash. */
function proofRow(proof, { session, notice }) {
  const row = cloneTemplate("tpl-proof");
  row.dataset.id = proof.id;
  const prefix = `proof-${proof.id}`;
  const title = slot(row, "title");
  title.id = `${prefix}-title`;
  slot(row, "title-label").htmlFor = title.id;
  const visibility = buildControl(
    { name: `${prefix}-visibility`, label: t("Who sees this file"), kind: "visibility" }, prefix);
  slot(row, "visibility").replaceWith(visibility.element);
  const open = slot(row, "open");
  open.href = fileUrl(session, proof);
  const thumbnail = slot(row, "thumbnail");
  if (proof.has_thumbnail) {
    thumbnail.src = fileUrl(session, proof, true);
    thumbnail.hidden = false;
    slot(row, "kind").hidden = true;
  }
  slot(row, "kind-word").textContent = kindOf(proof);

  const save = async (changes) => {
    try {
      const saved = await api.patch(`${proofsPath(session)}/${proof.id}`, changes);
      session.updateProofs((proofs) => proofs.map((entry) => (entry.id === saved.id ? saved : entry)));
    } catch (error) {
      showError(error);
    }
  };
  title.addEventListener("change", () => save({ title: title.value.trim() || null }));
  visibility.element.addEventListener("change", () => save({ visibility: visibility.read() }));
  row.querySelector("[data-action=delete]").addEventListener("click", async () => {
    const name = proof.title || proof.filename || t("The file");
    try {
      await api.delete(`${proofsPath(session)}/${proof.id}`);
    } catch (error) {
      showError(error);
      return;
    }
    session.updateProofs((proofs) => proofs.filter((entry) => entry.id !== proof.id));
    notice.show(t("“{name}” moved to the trash (kept 30 days).", { name }), async () => {
      try {
        const restored = await api.post(`${proofsPath(session)}/trash/${proof.id}/restore`);
        session.updateProofs((proofs) => [...proofs, restored]);
      } catch (error) {
        showError(error);
      }
    });
  });

  return {
    element: row,
    update(current) {
      const name = current.title || current.filename || "file";
      slot(row, "open-name").textContent = `“${name}”`;
      slot(row, "delete-name").textContent = `“${name}”`;
      if (document.activeElement !== title) title.value = current.title || "";
      if (!visibility.element.contains(document.activeElement)) {
        visibility.write(current.visibility);
      }
    },
  };
}

/** The files of one item, and the drop/pick controls that add to them. */
export function mountItemProofs({ container, dropTarget, session, section, itemId, notice, onFiles }) {
  const block = cloneTemplate("tpl-proofs");
  container.append(block);
  const list = slot(block, "list");
  const uploads = slot(block, "uploads");
  const input = slot(block, "input");
  input.id = `item-${itemId}-files`;
  const rows = new Map();

  const add = async (files) => {
    if (!files.length) return;
    onFiles();
    if (!session.isSaved(section.field, itemId)) await session.flush();
    const item = (session.portfolio[section.field] || []).find((entry) => entry.id === itemId);
    for (const file of files) {
      if (!session.isSaved(section.field, itemId)) {
        refuse(uploadRow(uploads, file), t("“{name}” was not added: files can be added once this "
               + "{noun} is saved; complete its marked fields first.",
               { name: file.name, noun: t(section.noun) }));
        continue;
      }
      await uploadWithProgress(file, {
        item_type: section.api, item_id: itemId, title: titleFromFilename(file.name),
        // A file shows where its item shows, until the person says otherwise.
        visibility: item?.visibility || "private",
      }, { session, uploads });
    }
  };
  input.addEventListener("change", () => {
    add([...input.files]);
    input.value = "";
  });
  const carriesFiles = (event) => event.dataTransfer?.types.includes("Files");
  dropTarget.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dropTarget.classList.add("dropping");
  });
  dropTarget.addEventListener("dragleave", (event) => {
    if (!dropTarget.contains(event.relatedTarget)) dropTarget.classList.remove("dropping");
  });
  dropTarget.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dropTarget.classList.remove("dropping");
    add([...event.dataTransfer.files]);
  });

  return {
    update(portfolio) {
      const proofs = (portfolio.proofs || []).filter((proof) => proof.item_id === itemId);
      for (const [id, row] of rows) {
        if (proofs.some((proof) => proof.id === id)) continue;
        row.element.remove();
        rows.delete(id);
      }
      for (const proof of proofs) {
        if (!rows.has(proof.id)) {
          const row = proofRow(proof, { session, notice });
          rows.set(proof.id, row);
          list.append(row.element);
        }
        rows.get(proof.id).update(proof);
      }
    },
  };
}

/** The profile photo: an image proof of the profile, named by `profile.photo_proof_id`. */
export function mountPhoto({ root, session }) {
  const image = root.querySelector("#photo-image");
  const empty = root.querySelector("#photo-empty");
  const input = root.querySelector("#photo-input");
  const remove = root.querySelector("#photo-remove");
  const uploads = root.querySelector("#photo-uploads");

  // A replaced or removed photo leaves the page for good: its file goes to the trash, unless
  // it is the background too. Naming it again (Undo) brings it back from the trash.
  function retire(photoId) {
    session.history.seal();  // each photo change is a step of its own for Undo
    const portfolio = session.portfolio;
    const photo = (portfolio.proofs || []).find((entry) => entry.id === photoId);
    if (!photo || photo.item_type !== "profile"
        || portfolio.theme?.background_image_proof_id === photoId) return;
    api.delete(`${proofsPath(session)}/${photoId}`).catch(showError);
  }

  input.addEventListener("change", async () => {
    const [file] = input.files;
    input.value = "";
    if (!file) return;
    // The photo is on the page for everyone: its file is public.
    const previous = session.portfolio.profile?.photo_proof_id;
    const proof = await uploadWithProgress(file, {
      item_type: "profile", title: "Profile photo", visibility: "public" }, { session, uploads });
    if (!proof) return;
    session.change({ profile: { photo_proof_id: proof.id } });
    retire(previous);
  });
  remove.addEventListener("click", () => {
    const previous = session.portfolio.profile?.photo_proof_id;
    session.change({ profile: { photo_proof_id: null } });
    retire(previous);
    input.focus();
  });

  return {
    update(portfolio) {
      const proof = (portfolio.proofs || []).find(
        (entry) => entry.id === portfolio.profile?.photo_proof_id);
      const src = proof ? fileUrl(session, proof, true) : "";
      if (src && image.getAttribute("src") !== src) image.src = src;
      image.hidden = !proof;
      empty.hidden = Boolean(proof);
      remove.hidden = !proof;
    },
  };
}
