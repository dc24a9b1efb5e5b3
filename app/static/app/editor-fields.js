/**
 * What the content pane edits, described once: the profile's fields and, per section, its
 * items' fields with their labels, kinds, choices and limits (the API's own, from
 * app/schemas/portfolio.py and app/models/portfolio.py). editor-content.js builds every form
 * from this; the checks here keep an incomplete item (no name yet, a half-typed date) from
 * being sent, the API deciding the rest.
 *
 * A field: {name, label, kind, required?, max?, hint?, choices?, section?, suggestions?,
 * improve?}. Kinds: text, email, tel, url, date (YYYY, YYYY-MM or YYYY-MM-DD), number, textarea,
 * lines (a list of strings, one per line), choice (one of `choices`), checkbox, visibility
 * (public/recruiter/private), refs (ids of the items of another `section`, as checkboxes).
 * `improve`: free text the AI assistant offers to improve (editor-ai.js): the headline and
 * every textarea (the bio, descriptions…).
 */

export const VISIBILITIES = [
  { value: "public", label: "Public", hint: "everyone who opens the page" },
  { value: "recruiter", label: "Recruiter", hint: "only people with a recruiter link" },
  { value: "private", label: "Private", hint: "only you" },
];

/** Who sees an item: every section's items have it, public unless the section says otherwise
 * (`defaultVisibility`: references, which name someone else, are private). */
export function visibilityField(section) {
  return { name: "visibility", label: "Who sees it", kind: "visibility",
           default: section.defaultVisibility || "public" };
}

const PARTIAL_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
const DATE_WORDS = "Use YYYY, YYYY-MM or YYYY-MM-DD.";
const LINES_HINT = "One per line.";

const text = (name, label, max, extra = {}) => ({ name, label, kind: "text", max, ...extra });
const required = (name, label, max, extra = {}) => text(name, label, max, { required: true, ...extra });
const textarea = (name, label, max, extra = {}) => ({ name, label, kind: "textarea", max,
                                                     improve: true, ...extra });
const lines = (name, label, max) => ({ name, label, kind: "lines", max, hint: LINES_HINT });
const url = (name, label, extra = {}) => ({ name, label, kind: "url", max: 2048, ...extra });
const date = (name, label) => ({ name, label, kind: "date", hint: "Like 2024 or 2024-09." });
const choice = (name, label, choices) => ({ name, label, kind: "choice", choices });
const refs = (name, label, section) => ({ name, label, kind: "refs", section });
// When a dated item started and ended: side by side in its form.
const PERIOD = [date("start_date", "Start"), date("end_date", "End")];

const AVAILABILITIES = [
  ["internship", "Open to internships"], ["job", "Open to job offers"],
  ["freelance", "Available for freelance work"], ["apprenticeship", "Looking for an apprenticeship"],
  ["not_available", "Not available at the moment"],
];

export const PORTFOLIO_FIELDS = [
  required("title", "Portfolio name", 120, {
    hint: "For you: it names the portfolio on your dashboard." }),
];

export const PROFILE_FIELDS = [
  text("display_name", "Display name", 120, { hint: "The name at the top of your page." }),
  text("title", "Title", 200, { hint: "What you do or want to do, e.g. “Data engineer”." }),
  text("headline", "Headline", 300, { hint: "One sentence under your name.", improve: true }),
  textarea("bio", "Bio", 5000, { hint: "A few lines about you. A blank line starts a paragraph." }),
  text("location", "Location", 200),
  { name: "email", label: "Email", kind: "email", max: 254 },
  { name: "phone", label: "Phone", kind: "tel", max: 40 },
  { name: "contact_visibility", label: "Who sees the contact details", kind: "visibility",
    default: "recruiter" },
  choice("availability", "Availability", AVAILABILITIES),
];

/** The sections, in the order the content pane shows them. `field` is the portfolio's key,
 * `api` the section's name in URLs and proof `item_type`s, `nameField` what names an item,
 * `defaultVisibility` a new item's when not public, `note` a line shown under the heading. */
export const SECTIONS = [
  {
    field: "links", api: "profile-links", heading: "Links", noun: "link", nameField: "network",
    detailFields: ["url"], proofs: false,
    fields: [
      required("network", "Network", 40, { hint: "GitHub, LinkedIn, Website…", suggestions: [
        "GitHub", "GitLab", "LinkedIn", "X", "Mastodon", "Bluesky", "Website", "Blog", "YouTube",
        "Stack Overflow", "Behance", "Dribbble", "Medium", "Instagram", "ORCID", "Kaggle"] }),
      url("url", "Address", { required: true, hint: "Starting with https://" }),
      text("label", "Label", 120, { hint: "Shown instead of the address (optional)." }),
    ],
  },
  {
    field: "experiences", api: "experiences", heading: "Experience", noun: "experience",
    nameField: "role", detailFields: ["organisation", "start_date"], proofs: true,
    fields: [
      required("role", "Role", 200),
      text("organisation", "Organisation", 200),
      text("organisation_summary", "About the organisation", 500, {
        hint: "What it does, in a line: “Non-profit AI research institute”." }),
      url("url", "Organisation’s website"),
      choice("type", "Type", [["job", "Job"], ["internship", "Internship"],
                              ["apprenticeship", "Apprenticeship"], ["freelance", "Freelance"],
                              ["volunteer", "Volunteering"]]),
      text("location", "Location", 200),
      ...PERIOD,
      { name: "current", label: "I still work here", kind: "checkbox" },
      textarea("description", "Description", 5000),
      lines("achievements", "Achievements", 500),
    ],
  },
  {
    field: "diplomas", api: "diplomas", heading: "Education", noun: "diploma", nameField: "title",
    detailFields: ["institution", "end_date"], proofs: true,
    fields: [
      required("title", "Diploma", 200),
      text("institution", "School or university", 200),
      choice("level", "Level", [["high_school", "High school"], ["associate", "Associate degree"],
                                ["bachelor", "Bachelor’s"], ["master", "Master’s"],
                                ["doctorate", "Doctorate"], ["other", "Other"]]),
      text("field", "Field of study", 200),
      ...PERIOD,
      text("grade", "Grade", 200),
      textarea("description", "Description", 5000),
      lines("courses", "Courses", 200),
      url("url", "School’s website"),
    ],
  },
  {
    field: "projects", api: "projects", heading: "Projects", noun: "project", nameField: "name",
    detailFields: ["summary"], proofs: true,
    fields: [
      required("name", "Name", 200),
      choice("type", "Type", [["academic", "Academic project"], ["personal", "Personal project"],
                              ["professional", "Professional project"]]),
      text("summary", "Summary", 500, { hint: "One sentence." }),
      text("role", "Your role", 200),
      text("organisation", "Organisation", 200, {
        hint: "Who it was for or with: a company, a course, a club." }),
      ...PERIOD,
      textarea("description", "Description", 10000),
      lines("technologies", "Technologies", 60),
      lines("features", "Features", 500),
      textarea("challenges", "Challenges", 5000),
      url("repository_url", "Code repository"),
      url("demo_url", "Demo"),
      url("video_url", "Video"),
    ],
  },
  {
    field: "certifications", api: "certifications", heading: "Certifications",
    noun: "certification", nameField: "name", detailFields: ["issuer", "issued_date"],
    proofs: true,
    fields: [
      required("name", "Name", 200),
      text("issuer", "Issuer", 200),
      date("issued_date", "Issued"),
      date("expiry_date", "Expires"),
      text("credential_id", "Credential ID", 200),
      url("credential_url", "Credential address"),
    ],
  },
  {
    field: "trainings", api: "trainings", heading: "Trainings", noun: "training",
    nameField: "title", detailFields: ["provider", "end_date"], proofs: true,
    fields: [
      required("title", "Title", 200),
      text("provider", "Provider", 200),
      choice("type", "Type", [["online_course", "Online course"], ["workshop", "Workshop"],
                              ["bootcamp", "Bootcamp"], ["other", "Other"]]),
      ...PERIOD,
      { name: "hours", label: "Hours", kind: "number", min: 0, max: 100000 },
    ],
  },
  {
    field: "skills", api: "skills", heading: "Skills", noun: "skill", nameField: "name",
    detailFields: ["level"], proofs: true,
    fields: [
      required("name", "Name", 100),
      choice("category", "Category", [["language", "Language"], ["framework", "Framework"],
                                      ["tool", "Tool"], ["soft_skill", "Soft skill"],
                                      ["other", "Other"]]),
      choice("level", "Level", [["beginner", "Beginner"], ["intermediate", "Intermediate"],
                                ["advanced", "Advanced"], ["expert", "Expert"]]),
      textarea("justification", "How you use it", 2000),
      lines("keywords", "Keywords", 60),
      refs("project_ids", "Proven by projects", "projects"),
      refs("certification_ids", "Proven by certifications", "certifications"),
      refs("training_ids", "Proven by trainings", "trainings"),
    ],
  },
  {
    field: "languages", api: "languages", heading: "Languages", noun: "language",
    nameField: "name", detailFields: ["fluency"], proofs: true,
    fields: [
      required("name", "Language", 100),
      text("fluency", "Fluency", 100, { hint: "In your words, or a CEFR level.", suggestions: [
        "Native speaker", "Bilingual", "Full professional proficiency",
        "Professional working proficiency", "Limited working proficiency", "Elementary",
        "C2", "C1", "B2", "B1", "A2", "A1"] }),
    ],
  },
  {
    field: "volunteer", api: "volunteer", heading: "Volunteering", noun: "volunteer role",
    nameField: "organisation", detailFields: ["role", "start_date"], proofs: true,
    fields: [
      required("organisation", "Organisation", 200),
      text("role", "Role", 200),
      url("url", "Organisation’s website"),
      ...PERIOD,
      textarea("description", "Description", 5000),
      lines("achievements", "Achievements", 500),
    ],
  },
  {
    field: "awards", api: "awards", heading: "Awards", noun: "award", nameField: "title",
    detailFields: ["awarder", "date"], proofs: true,
    fields: [
      required("title", "Award", 200),
      text("awarder", "Awarded by", 200),
      date("date", "Date"),
      textarea("description", "Description", 5000),
    ],
  },
  {
    field: "publications", api: "publications", heading: "Publications", noun: "publication",
    nameField: "name", detailFields: ["publisher", "release_date"], proofs: true,
    fields: [
      required("name", "Title", 300),
      text("publisher", "Publisher", 200, { hint: "The journal, conference, blog or publisher." }),
      date("release_date", "Published"),
      url("url", "Address"),
      textarea("description", "Description", 5000),
    ],
  },
  {
    field: "interests", api: "interests", heading: "Interests", noun: "interest",
    nameField: "name", detailFields: [], proofs: false,
    fields: [
      required("name", "Interest", 100),
      lines("keywords", "Keywords", 60),
    ],
  },
  {
    field: "references", api: "references", heading: "References", noun: "reference",
    nameField: "name", detailFields: ["position"], proofs: true, defaultVisibility: "private",
    note: "A reference names someone else: each one is private, seen only by you, until you "
      + "choose who sees it.",
    fields: [
      required("name", "Name", 200),
      text("position", "Position", 200, { hint: "Their role, and how they know you." }),
      text("contact", "Contact", 200, { hint: "An email address or a phone number." }),
      textarea("reference", "Reference", 5000, {
        hint: "What they say about you, or a quote from their letter." }),
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
  return item[section.nameField] || `New ${section.noun}`;
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
    if (field.required && empty) problems[field.name] = `Fill in the ${field.label.toLowerCase()}.`;
    else if (field.kind === "date" && !empty && !PARTIAL_DATE.test(value)) {
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
