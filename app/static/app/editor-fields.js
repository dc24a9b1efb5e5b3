/**
 * What the content pane edits, described once: the profile's fields and, per section, its
 * items' fields with their labels, kinds, choices and limits (the API's own, from
 * app/schemas/portfolio.py and app/models/portfolio.py). editor-content.js builds every form
 * from this; the checks here keep an incomplete item (no name yet, a half-typed date) from
 * being sent, the API deciding the rest.
 *
 * A field: {name, label, kind, required?, max?, hint?, choices?, section?, suggestions?,
 * improve?}. Kinds: text, email, tel, url, date (YYYY, YYYY-MM or YYYY-MM-DD), number, textarea,
 * lines (a list of strings, one per line), choice (one of `choices`: [value, label, the label's
 * language if not the app's]; with a `default`, what an unset value means, it offers no
 * "Not set"), checkbox, visibility
 * (public/recruiter/private), refs (ids of the items of another `section`, as checkboxes).
 * `improve`: free text the AI assistant offers to improve (editor-ai.js): the headline and
 * every textarea (the bio, descriptions…).
 */
import { t } from "./i18n.js";

export const VISIBILITIES = [
  { value: "public", label: t("Public"), hint: t("everyone who opens the page") },
  { value: "recruiter", label: t("Recruiter"), hint: t("only people with a recruiter link") },
  { value: "private", label: t("Private"), hint: t("only you") },
];

/** Who sees an item: every section's items have it, public unless the section says otherwise
 * (`defaultVisibility`: references, which name someone else, are private). */
export function visibilityField(section) {
  return { name: "visibility", label: t("Who sees it"), kind: "visibility",
           default: section.defaultVisibility || "public" };
}

const PARTIAL_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
const DATE_WORDS = t("Use YYYY, YYYY-MM or YYYY-MM-DD.");
const LINES_HINT = t("One per line.");

const text = (name, label, max, extra = {}) => ({ name, label, kind: "text", max, ...extra });
const required = (name, label, max, extra = {}) => text(name, label, max, { required: true, ...extra });
const textarea = (name, label, max, extra = {}) => ({ name, label, kind: "textarea", max,
                                                     improve: true, ...extra });
const lines = (name, label, max) => ({ name, label, kind: "lines", max, hint: LINES_HINT });
const url = (name, label, extra = {}) => ({ name, label, kind: "url", max: 2048, ...extra });
const date = (name, label) => ({ name, label, kind: "date", hint: t("Like 2024 or 2024-09.") });
const choice = (name, label, choices) => ({ name, label, kind: "choice", choices });
const refs = (name, label, section) => ({ name, label, kind: "refs", section });
// When a dated item started and ended: side by side in its form.
const PERIOD = [date("start_date", t("Start")), date("end_date", t("End"))];

const AVAILABILITIES = [
  ["internship", t("Open to internships")], ["job", t("Open to job offers")],
  ["freelance", t("Available for freelance work")],
  ["apprenticeship", t("Looking for an apprenticeship")],
  ["not_available", t("Not available at the moment")],
];

// The languages a portfolio's published pages can be in, each named in itself (not translated:
// "Deutsch" is found by whoever reads German), as the server renders them in editor.html.
const PORTFOLIO_LANGUAGES = JSON.parse(
  document.getElementById("editor")?.dataset.portfolioLanguages || "[]",
).map(([code, name]) => [code, name, code]);

export const PORTFOLIO_FIELDS = [
  required("title", t("Portfolio name"), 120, {
    hint: t("It names the portfolio on your dashboard. Visitors can see it too.") }),
  // Unset (stored before languages): the page is in English.
  { ...choice("language", t("Portfolio language"), PORTFOLIO_LANGUAGES), default: "en",
    hint: t("Headings, dates and the PDF of the published page use this language; "
            + "your own text is not translated.") },
];

export const PROFILE_FIELDS = [
  text("display_name", t("Display name"), 120, { hint: t("The name at the top of your page.") }),
  text("title", t("Title"), 200, { hint: t("What you do or want to do, e.g. “Data engineer”.") }),
  text("headline", t("Headline"), 300, { hint: t("One sentence under your name."), improve: true }),
  textarea("bio", t("Bio"), 5000, {
    hint: t("A few lines about you. A blank line starts a paragraph.") }),
  text("location", t("Location"), 200),
  { name: "email", label: t("Email"), kind: "email", max: 254 },
  { name: "phone", label: t("Phone"), kind: "tel", max: 40 },
  { name: "contact_visibility", label: t("Who sees the contact details"), kind: "visibility",
    default: "recruiter" },
  choice("availability", t("Availability"), AVAILABILITIES),
];

/** The sections, in the order the content pane shows them. `field` is the portfolio's key,
 * `api` the section's name in URLs and proof `item_type`s, `nameField` what names an item,
 * `defaultVisibility` a new item's when not public, `note` a line shown under the heading. */
export const SECTIONS = [
  {
    field: "links", api: "profile-links", heading: t("Links"), noun: "link", nameField: "network",
    detailFields: ["url"], proofs: false,
    fields: [
      required("network", t("Network"), 40, { hint: t("GitHub, LinkedIn, Website…"), suggestions: [
        "GitHub", "GitLab", "LinkedIn", "X", "Mastodon", "Bluesky", "Website", "Blog", "YouTube",
        "Stack Overflow", "Behance", "Dribbble", "Medium", "Instagram", "ORCID", "Kaggle"] }),
      url("url", t("Address"), { required: true, hint: t("Starting with https://") }),
      text("label", t("Label"), 120, { hint: t("Shown instead of the address (optional).") }),
    ],
  },
  {
    field: "experiences", api: "experiences", heading: t("Experience"), noun: "experience",
    nameField: "role", detailFields: ["organisation", "start_date"], proofs: true,
    fields: [
      required("role", t("Role"), 200),
      text("organisation", t("Organisation"), 200),
      text("organisation_summary", t("About the organisation"), 500, {
        hint: t("What it does, in a line: “Non-profit AI research institute”.") }),
      url("url", t("Organisation’s website")),
      choice("type", t("Type"), [["job", t("Job")], ["internship", t("Internship")],
                              ["apprenticeship", t("Apprenticeship")],
                              ["freelance", t("Freelance")],
                              ["volunteer", t("Volunteering")]]),
      text("location", t("Location"), 200),
      ...PERIOD,
      { name: "current", label: t("I still work here"), kind: "checkbox" },
      textarea("description", t("Description"), 5000),
      lines("achievements", t("Achievements"), 500),
    ],
  },
  {
    field: "diplomas", api: "diplomas", heading: t("Education"), noun: "diploma",
    nameField: "title",
    detailFields: ["institution", "end_date"], proofs: true,
    fields: [
      required("title", t("Diploma"), 200),
      text("institution", t("School or university"), 200),
      choice("level", t("Level"), [["high_school", t("High school")],
                                   ["associate", t("Associate degree")],
                                ["bachelor", t("Bachelor’s")], ["master", t("Master’s")],
                                ["doctorate", t("Doctorate")], ["other", t("Other")]]),
      text("field", t("Field of study"), 200),
      ...PERIOD,
      text("grade", t("Grade"), 200),
      textarea("description", t("Description"), 5000),
      lines("courses", t("Courses"), 200),
      url("url", t("School’s website")),
    ],
  },
  {
    field: "projects", api: "projects", heading: t("Projects"), noun: "project", nameField: "name",
    detailFields: ["summary"], proofs: true,
    fields: [
      required("name", t("Name"), 200),
      choice("type", t("Type"), [["academic", t("Academic project")],
                                 ["personal", t("Personal project")],
                              ["professional", t("Professional project")]]),
      text("summary", t("Summary"), 500, { hint: t("One sentence.") }),
      text("role", t("Your role"), 200),
      text("organisation", t("Organisation"), 200, {
        hint: t("Who it was for or with: a company, a course, a club.") }),
      ...PERIOD,
      textarea("description", t("Description"), 10000),
      lines("technologies", t("Technologies"), 60),
      lines("features", t("Features"), 500),
      textarea("challenges", t("Challenges"), 5000),
      url("repository_url", t("Code repository")),
      url("demo_url", t("Demo")),
      url("video_url", t("Video")),
    ],
  },
  {
    field: "certifications", api: "certifications", heading: t("Certifications"),
    noun: "certification", nameField: "name", detailFields: ["issuer", "issued_date"],
    proofs: true,
    fields: [
      required("name", t("Name"), 200),
      text("issuer", t("Issuer"), 200),
      date("issued_date", t("Issued")),
      date("expiry_date", t("Expires")),
      text("credential_id", t("Credential ID"), 200),
      url("credential_url", t("Credential address")),
    ],
  },
  {
    field: "trainings", api: "trainings", heading: t("Trainings"), noun: "training",
    nameField: "title", detailFields: ["provider", "end_date"], proofs: true,
    fields: [
      required("title", t("Title"), 200),
      text("provider", t("Provider"), 200),
      choice("type", t("Type"), [["online_course", t("Online course")], ["workshop", t("Workshop")],
                              ["bootcamp", t("Bootcamp")], ["other", t("Other")]]),
      ...PERIOD,
      { name: "hours", label: t("Hours"), kind: "number", min: 0, max: 100000 },
    ],
  },
  {
    field: "skills", api: "skills", heading: t("Skills"), noun: "skill", nameField: "name",
    detailFields: ["level"], proofs: true,
    fields: [
      required("name", t("Name"), 100),
      choice("category", t("Category"), [["language", t("Language")], ["framework", t("Framework")],
                                      ["tool", t("Tool")], ["soft_skill", t("Soft skill")],
                                      ["other", t("Other")]]),
      choice("level", t("Level"), [["beginner", t("Beginner")], ["intermediate", t("Intermediate")],
                                ["advanced", t("Advanced")], ["expert", t("Expert")]]),
      textarea("justification", t("How you use it"), 2000),
      lines("keywords", t("Keywords"), 60),
      refs("project_ids", t("Proven by projects"), "projects"),
      refs("certification_ids", t("Proven by certifications"), "certifications"),
      refs("training_ids", t("Proven by trainings"), "trainings"),
    ],
  },
  {
    field: "languages", api: "languages", heading: t("Languages"), noun: "language",
    nameField: "name", detailFields: ["fluency"], proofs: true,
    fields: [
      required("name", t("Language"), 100),
      text("fluency", t("Fluency"), 100, {
        hint: t("In your words, or a CEFR level."), suggestions: [
        "Native speaker", "Bilingual", "Full professional proficiency",
        "Professional working proficiency", "Limited working proficiency", "Elementary",
        "C2", "C1", "B2", "B1", "A2", "A1"] }),
    ],
  },
  {
    field: "volunteer", api: "volunteer", heading: t("Volunteering"), noun: "volunteer role",
    nameField: "organisation", detailFields: ["role", "start_date"], proofs: true,
    fields: [
      required("organisation", t("Organisation"), 200),
      text("role", t("Role"), 200),
      url("url", t("Organisation’s website")),
      ...PERIOD,
      textarea("description", t("Description"), 5000),
      lines("achievements", t("Achievements"), 500),
    ],
  },
  {
    field: "awards", api: "awards", heading: t("Awards"), noun: "award", nameField: "title",
    detailFields: ["awarder", "date"], proofs: true,
    fields: [
      required("title", t("Award"), 200),
      text("awarder", t("Awarded by"), 200),
      date("date", t("Date")),
      textarea("description", t("Description"), 5000),
    ],
  },
  {
    field: "publications", api: "publications", heading: t("Publications"), noun: "publication",
    nameField: "name", detailFields: ["publisher", "release_date"], proofs: true,
    fields: [
      required("name", t("Title"), 300),
      text("publisher", t("Publisher"), 200, {
        hint: t("The journal, conference, blog or publisher.") }),
      date("release_date", t("Published")),
      url("url", t("Address")),
      textarea("description", t("Description"), 5000),
    ],
  },
  {
    field: "interests", api: "interests", heading: t("Interests"), noun: "interest",
    nameField: "name", detailFields: [], proofs: false,
    fields: [
      required("name", t("Interest"), 100),
      lines("keywords", t("Keywords"), 60),
    ],
  },
  {
    field: "references", api: "references", heading: t("References"), noun: "reference",
    nameField: "name", detailFields: ["position"], proofs: true, defaultVisibility: "private",
    note: t("A reference names someone else: each one is private, seen only by you, until you "
      + "choose who sees it."),
    fields: [
      required("name", t("Name"), 200),
      text("position", t("Position"), 200, { hint: t("Their role, and how they know you.") }),
      text("contact", t("Contact"), 200, { hint: t("An email address or a phone number.") }),
      textarea("reference", t("Reference"), 5000, {
        hint: t("What they say about you, or a quote from their letter.") }),
    ],
  },
];

export const sectionOf = (field) => SECTIONS.find((section) => section.field === field);

/** A fresh item id, shaped like the server's ObjectIds (time first, then random), so a new
 * item keeps its id from its first keystroke: forms, undo and proofs can name it at once. */
export function newItemId() {
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, "0");
  const random = crypto.getRandomValues(new Uint8Array(8));
  return seconds + Array.from(random, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function newItem(section) {
  return { id: newItemId(), visibility: visibilityField(section).default };
}

/** How a choice reads ("Master’s"), or the value itself. */
export function choiceLabel(field, value) {
  return field.choices?.find(([choiceValue]) => choiceValue === value)?.[1] ?? value;
}

/** The item's name, or "New project" while it has none. */
export function itemName(section, item) {
  return item[section.nameField] || t("New {noun}", { noun: t(section.noun) });
}

/** A few words under the name: organisation, date, level… */
export function itemDetail(section, item) {
  return section.detailFields
    .map((name) => choiceLabel(section.fields.find((field) => field.name === name), item[name]))
    .filter(Boolean).join(" · ");
}

/** The item in one line: "Data analyst — Acme · 2022-09". */
export function itemLine(section, item) {
  const detail = itemDetail(section, item);
  return detail ? `${itemName(section, item)} — ${detail}` : itemName(section, item);
}

/** {field name: message} of what keeps `values` from being sent. */
export function problemsOf(fields, values) {
  const problems = {};
  for (const field of fields) {
    const value = values[field.name];
    const empty = value === null || value === undefined || String(value).trim() === "";
    if (field.required && empty) {
      // The label as it is: German nouns keep their capital.
      problems[field.name] = t("Fill in the “{label}” field.", { label: field.label });
    } else if (field.kind === "date" && !empty && !PARTIAL_DATE.test(value)) {
      problems[field.name] = DATE_WORDS;
    }
  }
  return problems;
}

const hasProblems = (fields, values) => Object.keys(problemsOf(fields, values)).length > 0;

/** The fields of `changes` that must wait: a section with an incomplete item, an empty name. */
export function fieldsNotReady(changes) {
  const waiting = new Set();
  for (const [name, value] of Object.entries(changes)) {
    const section = sectionOf(name);
    if (section && value.some((item) => hasProblems(section.fields, item))) waiting.add(name);
    if (name === "title" && hasProblems(PORTFOLIO_FIELDS, changes)) waiting.add(name);
  }
  return waiting;
}
