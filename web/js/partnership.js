// The partnership workspace (issue 9; API in docs/internals/server.md, who
// may do what in docs/internals/partnership.md):
//   #/partnerships                           my partnerships with my role, the
//                                            invitations my city may accept,
//                                            a new partnership (coordinators)
//   #/partnership/{pid}                      overview: description, dates,
//                                            prolonging, the action plan export
//   #/partnership/{pid}/members              cities and organisations: invite,
//                                            add, change roles, remove
//   #/partnership/{pid}/actions              the actions with their status
//   #/partnership/{pid}/action/{action}      one action: objective, leader,
//                                            status reports, deliverables,
//                                            links to assessments and measures,
//                                            meetings, funding; its title,
//                                            objective, members (and, for a
//                                            coordinator, leader) changed
//   #/partnership/{pid}/meetings             the meetings; a new one
//   #/partnership/{pid}/meeting/{meeting}    one meeting: agenda, minutes,
//                                            outcomes, the actions discussed
//   #/partnership/{pid}/indicators           the member cities compared
//                                            (indicators.js draws the chart)
// User content (names, objectives, reports, minutes) is shown as written,
// in the language it was written in, as text (dom.js h()).
// SPDX-License-Identifier: EUPL-1.2

import { api, seg, BASE, ApiError } from "./api.js";
import { t, fmtDate, currentLang } from "./i18n.js";
import { h, clear, append, uid } from "./dom.js";
import { setTitle, notice, errorText, state, go } from "./app.js";
import { renderComparison } from "./indicators.js";

const PROLES = { observer: 1, member: 2, action_leader: 3, coordinator: 4 };
const ROLE_LIST = ["coordinator", "action_leader", "member", "observer"];
const KINDS = ["police", "operator", "eu_body", "network", "other"];
const STATUSES = ["proposed", "ongoing", "implemented", "stopped"];

export function pRoleName(role) {
    switch (role) {
    case "coordinator": return t("Coordinator");
    case "action_leader": return t("Action leader");
    case "member": return t("Member");
    case "observer": return t("Observer");
    default: return role || "–";
    }
}

export function memberKindName(kind) {
    switch (kind) {
    case "city": return t("City");
    case "police": return t("Police");
    case "operator": return t("Operator");
    case "eu_body": return t("EU body");
    case "network": return t("Network");
    case "other": return t("Other");
    default: return kind || "";
    }
}

function stateName(s) {
    return s === "invited" ? t("Invited") : t("active");
}

export function statusName(s) {
    switch (s) {
    case "proposed": return t("Proposed");
    case "ongoing": return t("Ongoing");
    case "implemented": return t("Implemented");
    case "stopped": return t("Stopped");
    default: return s || "";
    }
}

export function statusBadge(s) {
    return h("span", { class: `badge status-badge status-${s}`, "data-status": s }, statusName(s));
}

// A day (YYYY-MM-DD) in the current language.
export function fmtDay(day) {
    if (!day) return "–";
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(day));
    if (!m) return String(day);
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return new Intl.DateTimeFormat(currentLang(), { dateStyle: "long", timeZone: "UTC" }).format(d);
}

function atLeastP(role, min) {
    return (PROLES[role] || 0) >= PROLES[min];
}

// The cities the user coordinates (an administrator: every city he sees).
function coordinatedCities() {
    const s = state.session;
    if (!s) return [];
    const admin = s.user && s.user.admin;
    return (s.cities || []).filter((c) => admin || c.role === "coordinator");
}

// A labelled control: h("div.field", label, control).
function field(label, control, hint) {
    const id = control.id || uid("f");
    control.id = id;
    return h("div", { class: "field" }, h("label", { for: id }, label), control,
        hint ? h("p", { class: "hint small" }, hint) : null);
}

function checkField(label, control) {
    const id = control.id || uid("c");
    control.id = id;
    return h("div", { class: "field check" }, control, h("label", { for: id }, label));
}

// The message of a refused request: a 400 or 409 says what the server said;
// a 403 that the user may not make this change (with the server's word).
function failText(e, what) {
    if (e instanceof ApiError && (e.status === 400 || e.status === 409)) {
        return t("{what}: {message}", { what, message: e.message });
    }
    if (e instanceof ApiError && e.status === 403) {
        return t("{what}: you may not make this change (the server answered “{message}”).", { what, message: e.message });
    }
    return errorText(e);
}

// A form whose submit runs fn(); a status region below; errors shown there.
function wireForm(form, status, fn, failWhat) {
    form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        clear(status);
        const btn = form.querySelector("button[type=submit]");
        if (btn) btn.disabled = true;
        try {
            await fn();
        } catch (e) {
            if (e instanceof ApiError && e.status === 401) throw e;
            append(status, notice("error", failText(e, failWhat)));
        } finally {
            if (btn) btn.disabled = false;
        }
    });
}

function planLinks(pid) {
    const lang = encodeURIComponent(currentLang());
    return h("ul", { class: "downloads plan-links", id: "plan-links" },
        h("li", null, h("a", { href: `${BASE}/partnerships/${seg(pid)}/plan?format=html&lang=${lang}`, download: "", id: "plan-html" },
            t("Action plan (HTML)"))),
        h("li", null, h("a", { href: `${BASE}/partnerships/${seg(pid)}/plan?format=pdf&lang=${lang}`, download: "", id: "plan-pdf" },
            t("Action plan (PDF)"))));
}

// ---------- #/partnerships ----------

export async function renderPartnerships(page, ctx, flash) {
    setTitle(t("Partnerships"));
    const list = await api.get("/partnerships");
    if (ctx.stale()) return;
    append(page, h("h1", null, t("Partnerships")),
        h("p", { class: "lead" }, t("Cities and organisations working together on the security of public spaces: an action plan with actions, status reports and meetings, good practices and comparable indicators. Each city decides what it shares.")));
    const status = h("div", { class: "partnerships-status" });
    append(page, status);
    if (flash) append(status, notice("status", flash));

    const invited = (list || []).filter((p) => p.invited);
    const mine = (list || []).filter((p) => p.role);

    // invitations
    if (invited.length) {
        const sec = h("section", { id: "invitations", "aria-labelledby": "invitations-title" },
            h("h2", { id: "invitations-title" }, t("Invitations")));
        const ul = h("ul", { class: "invitation-list" });
        for (const p of invited) {
            const inv = Array.isArray(p.invitations) ? p.invitations : [];
            const li = h("li", { class: "invitation", "data-partnership": String(p.id) },
                h("p", null, h("strong", null, p.name), " · ", t("from {start} to {end}", { start: fmtDay(p.starts), end: fmtDay(p.ends) })));
            if (!inv.length) {
                append(li, h("p", { class: "hint" }, t("A city you coordinate is invited to this partnership.")));
            }
            for (const x of inv) {
                const msg = h("div", { role: "status" });
                append(li, h("p", { class: "invitation-city" },
                    t("{city} is invited as {role}.", { city: x.name, role: pRoleName(x.role) }), " ",
                    h("button", {
                        type: "button", class: "accept-invitation", "data-member": String(x.member),
                        onclick: async (ev) => {
                            ev.target.disabled = true;
                            try {
                                await api.post(`/partnerships/${seg(p.id)}/members/${seg(x.member)}/accept`);
                                go(`#/partnership/${seg(p.id)}`);
                            } catch (e) {
                                ev.target.disabled = false;
                                if (e instanceof ApiError && e.status === 401) throw e;
                                append(clear(msg), notice("error", failText(e, t("Not accepted"))));
                            }
                        },
                    }, t("Accept the invitation of {city}", { city: x.name }))), msg);
            }
            append(ul, li);
        }
        append(sec, ul);
        append(page, sec);
    }

    // my partnerships
    append(page, h("h2", null, t("Your partnerships")));
    if (!mine.length) {
        append(page, h("p", { id: "no-partnerships" }, t("You are not a member of any partnership yet.")));
    } else {
        append(page, h("table", { class: "data", id: "partnership-list" },
            h("caption", null, t("The partnerships you take part in, with your role")),
            h("thead", null, h("tr", null,
                h("th", { scope: "col" }, t("Partnership")),
                h("th", { scope: "col" }, t("Your role")),
                h("th", { scope: "col" }, t("Start")),
                h("th", { scope: "col" }, t("End")))),
            h("tbody", null, mine.map((p) => h("tr", { "data-partnership": String(p.id) },
                h("th", { scope: "row" }, h("a", { href: `#/partnership/${seg(p.id)}` }, p.name)),
                h("td", { class: "role" }, pRoleName(p.role)),
                h("td", null, fmtDay(p.starts)),
                h("td", null, fmtDay(p.ends)))))));
    }

    // a new partnership
    const cities = coordinatedCities();
    if (cities.length) {
        const name = h("input", { type: "text", id: "np-name", maxlength: "200", required: true });
        const desc = h("textarea", { id: "np-description", rows: "3", maxlength: "4000" });
        const starts = h("input", { type: "date", id: "np-starts", required: true });
        const ends = h("input", { type: "date", id: "np-ends", required: true });
        const city = h("select", { id: "np-city" }, cities.map((c) => h("option", { value: String(c.id) }, c.name)));
        const msg = h("div", { class: "form-status" });
        const form = h("form", { class: "panel-form", id: "new-partnership", novalidate: true },
            h("h2", null, t("New partnership")),
            field(t("Name"), name),
            field(t("Description"), desc),
            h("div", { class: "inline" }, field(t("Start"), starts), field(t("End"), ends)),
            field(t("Coordinating city"), city, t("Your city coordinates the partnership; it invites the others.")),
            msg,
            h("div", { class: "actions" }, h("button", { type: "submit" }, t("Create the partnership"))));
        wireForm(form, msg, async () => {
            if (!name.value.trim() || !starts.value || !ends.value) {
                append(msg, notice("error", t("Give a name, a start and an end.")));
                return;
            }
            const p = await api.post("/partnerships", {
                name: name.value.trim(), description: desc.value, starts: starts.value, ends: ends.value,
                city: Number(city.value),
            });
            go(`#/partnership/${seg(p.id)}/members`);
        }, t("The partnership was not created"));
        append(page, form);
    }
}

// ---------- one partnership ----------

const TABS = [
    ["", () => t("Overview")],
    ["members", () => t("Members")],
    ["actions", () => t("Actions")],
    ["meetings", () => t("Meetings")],
    ["indicators", () => t("Indicators")],
];

function header(page, p, tab, sub) {
    setTitle(sub ? `${sub} – ${p.name}` : p.name);
    append(page,
        h("nav", { class: "crumbs", "aria-label": t("Breadcrumb") }, h("ol", null,
            h("li", null, h("a", { href: "#/partnerships" }, t("Partnerships"))),
            h("li", null, h("a", { href: `#/partnership/${seg(p.id)}`, "aria-current": sub ? null : "page" }, p.name)),
            sub ? h("li", null, h("span", { "aria-current": "page" }, sub)) : null)),
        h("h1", null, sub || p.name),
        h("p", { class: "meta" }, sub ? [p.name, " · "] : null,
            t("from {start} to {end}", { start: fmtDay(p.starts), end: fmtDay(p.ends) }), " · ",
            t("your role: {role}", { role: pRoleName(p.role) })),
        h("nav", { class: "tabs", "aria-label": t("Partnership sections") }, h("ul", null,
            TABS.map(([k, label]) => h("li", null, h("a", {
                href: `#/partnership/${seg(p.id)}${k ? `/${k}` : ""}`,
                "aria-current": k === tab ? "page" : null,
                id: `tab-${k || "overview"}`,
            }, label()))))));
}

export async function renderPartnership(page, ctx, pid, tab, sub) {
    const p = await api.get(`/partnerships/${seg(pid)}`);
    if (ctx.stale()) return;
    if (tab === "action") return renderAction(page, ctx, p, sub);
    if (tab === "meeting") return renderMeeting(page, ctx, p, sub);
    header(page, p, tab || "");
    switch (tab || "") {
    case "": return overview(page, ctx, p);
    case "members": return members(page, ctx, p);
    case "actions": return actions(page, ctx, p);
    case "meetings": return meetings(page, ctx, p);
    case "indicators": return renderComparison(page, ctx, p);
    default:
        append(page, notice("error", t("Not found.")));
        return undefined;
    }
}

function overview(page, ctx, p) {
    const sec = h("section", { id: "overview", "aria-labelledby": "overview-title" },
        h("h2", { id: "overview-title" }, t("Overview")),
        p.description ? h("p", { class: "description user-text" }, p.description) : h("p", { class: "hint" }, t("No description.")),
        h("dl", { class: "facts" },
            h("dt", null, t("Start")), h("dd", { id: "p-starts" }, fmtDay(p.starts)),
            h("dt", null, t("End")), h("dd", { id: "p-ends" }, fmtDay(p.ends)),
            h("dt", null, t("Created by")), h("dd", null, p.created_by || "–"),
            h("dt", null, t("Members")), h("dd", null,
                t("{n} active, {m} invited", {
                    n: (p.members || []).filter((m) => m.state === "active").length,
                    m: (p.members || []).filter((m) => m.state !== "active").length,
                }))));
    append(page, sec);
    if (atLeastP(p.role, "coordinator")) {
        const ends = h("input", { type: "date", id: "prolong-ends", value: p.ends });
        const desc = h("textarea", { id: "edit-description", rows: "3", maxlength: "4000" }, p.description || "");
        const msg = h("div", { class: "form-status" });
        const form = h("form", { class: "panel-form", id: "prolong-form", novalidate: true },
            h("h3", null, t("Prolong or describe the partnership")),
            field(t("New end"), ends),
            field(t("Description"), desc),
            msg,
            h("div", { class: "actions" }, h("button", { type: "submit" }, t("Save the changes"))));
        wireForm(form, msg, async () => {
            const body = {};
            if (ends.value && ends.value !== p.ends) body.ends = ends.value;
            if (desc.value !== (p.description || "")) body.description = desc.value;
            if (!Object.keys(body).length) {
                append(msg, notice("status", t("Nothing to save: nothing changed.")));
                return;
            }
            const np = await api.put(`/partnerships/${seg(p.id)}`, body);
            Object.assign(p, np);
            const dd = document.getElementById("p-ends");
            if (dd) dd.textContent = fmtDay(np.ends);
            append(msg, notice("status", t("Saved.")));
        }, t("Not saved"));
        append(page, form);
    }
    append(page, h("section", { "aria-labelledby": "plan-title" },
        h("h2", { id: "plan-title" }, t("Action plan")),
        h("p", null, t("The members, the actions with their latest report and next steps, and the meetings, as a document.")),
        planLinks(p.id)));
}

// ---------- members ----------

async function cityCandidates(p) {
    // GET .../candidates (cities of the server not yet in the partnership),
    // when the server has it; otherwise the coordinator types a city id
    try {
        const r = await api.get(`/partnerships/${seg(p.id)}/candidates`);
        const cities = Array.isArray(r) ? r : r && r.cities;
        return Array.isArray(cities) ? cities : null;
    } catch (e) {
        if (e instanceof ApiError && e.status === 401) throw e;
        return null;
    }
}

function roleSelect(id, value) {
    return h("select", { id }, ROLE_LIST.map((r) => h("option", { value: r, selected: r === value }, pRoleName(r))));
}

async function members(page, ctx, p) {
    const coord = atLeastP(p.role, "coordinator");
    const status = h("div", { class: "members-status", role: "status" });
    const rows = (p.members || []).map((m) => {
        const tr = h("tr", { "data-member": String(m.id), "data-city": m.city ? String(m.city) : null },
            h("th", { scope: "row" }, m.name),
            h("td", null, memberKindName(m.kind), m.kind !== "city" && m.people
                ? h("span", { class: "small" }, " · ", t("{n} accounts", { n: m.people })) : null),
            h("td", { class: "role" }, pRoleName(m.role)),
            h("td", { class: "state" }, stateName(m.state)));
        if (coord) {
            const sel = roleSelect(uid("role"), m.role);
            const lab = h("label", { for: sel.id, class: "visually-hidden" }, t("Role of {name}", { name: m.name }));
            append(tr, h("td", { class: "member-tools" },
                h("div", { class: "inline" }, lab, sel,
                    h("button", {
                        type: "button", class: "secondary change-role",
                        onclick: async (ev) => {
                            clear(status);
                            ev.target.disabled = true;
                            try {
                                await api.put(`/partnerships/${seg(p.id)}/members/${seg(m.id)}`, { role: sel.value });
                                go(`#/partnership/${seg(p.id)}/members`);
                            } catch (e) {
                                ev.target.disabled = false;
                                append(status, notice("error", failText(e, t("The role was not changed"))));
                            }
                        },
                    }, t("Change the role")),
                    h("button", {
                        type: "button", class: "secondary remove-member",
                        onclick: async (ev) => {
                            clear(status);
                            ev.target.disabled = true;
                            try {
                                await api.del(`/partnerships/${seg(p.id)}/members/${seg(m.id)}`);
                                go(`#/partnership/${seg(p.id)}/members`);
                            } catch (e) {
                                ev.target.disabled = false;
                                append(status, notice("error", failText(e, t("Not removed"))));
                            }
                        },
                    }, t("Remove {name}", { name: m.name })))));
        }
        return tr;
    });
    append(page, h("h2", null, t("Members")), status,
        h("table", { class: "data", id: "member-table" },
            h("caption", null, t("Cities and organisations of the partnership")),
            h("thead", null, h("tr", null,
                h("th", { scope: "col" }, t("Member")),
                h("th", { scope: "col" }, t("Kind")),
                h("th", { scope: "col" }, t("Role")),
                h("th", { scope: "col" }, t("State")),
                coord ? h("th", { scope: "col" }, t("Change")) : null)),
            h("tbody", null, rows)),
        h("p", { class: "hint" }, t("An invited city becomes a member when one of its coordinators accepts.")));
    if (!coord) return;

    // invite a city
    const cands = await cityCandidates(p);
    if (ctx.stale()) return;
    const msg1 = h("div", { class: "form-status" });
    let cityControl;
    if (cands) {
        cityControl = h("select", { id: "invite-city" }, cands.map((c) => h("option", { value: String(c.id) }, c.name)));
    } else {
        cityControl = h("input", { type: "number", id: "invite-city", min: "1", step: "1", inputmode: "numeric" });
    }
    const role1 = roleSelect("invite-role", "member");
    const inviteForm = h("form", { class: "panel-form", id: "invite-form", novalidate: true },
        h("h3", null, t("Invite a city")),
        field(cands ? t("City") : t("City id"), cityControl,
            cands ? null : t("The number of the city on this server (its address: #/city/NUMBER). Its coordinators accept the invitation.")),
        field(t("Role"), role1),
        msg1,
        h("div", { class: "actions" }, h("button", { type: "submit" }, t("Invite"))));
    wireForm(inviteForm, msg1, async () => {
        const cid = Number(cityControl.value);
        if (!Number.isInteger(cid) || cid <= 0) {
            append(msg1, notice("error", t("Choose a city.")));
            return;
        }
        await api.post(`/partnerships/${seg(p.id)}/members`, { city: cid, role: role1.value });
        go(`#/partnership/${seg(p.id)}/members`);
    }, t("Not invited"));

    // add an organisation
    const msg2 = h("div", { class: "form-status" });
    const org = h("input", { type: "text", id: "org-name", maxlength: "200" });
    const kind = h("select", { id: "org-kind" }, KINDS.map((k) => h("option", { value: k }, memberKindName(k))));
    const role2 = roleSelect("org-role", "member");
    const people = h("input", { type: "text", id: "org-people", autocomplete: "off" });
    const orgForm = h("form", { class: "panel-form", id: "organisation-form", novalidate: true },
        h("h3", null, t("Add an organisation")),
        field(t("Organisation"), org),
        h("div", { class: "inline" }, field(t("Kind"), kind), field(t("Role"), role2)),
        field(t("Accounts acting for it"), people, t("User names of this server, separated by commas.")),
        msg2,
        h("div", { class: "actions" }, h("button", { type: "submit" }, t("Add the organisation"))));
    wireForm(orgForm, msg2, async () => {
        if (!org.value.trim()) {
            append(msg2, notice("error", t("Give the organisation's name.")));
            return;
        }
        const names = people.value.split(",").map((x) => x.trim()).filter(Boolean);
        await api.post(`/partnerships/${seg(p.id)}/members`, {
            organisation: org.value.trim(), kind: kind.value, role: role2.value, people: names,
        });
        go(`#/partnership/${seg(p.id)}/members`);
    }, t("Not added"));
    append(page, h("div", { class: "form-pair" }, inviteForm, orgForm));
}

// ---------- actions ----------

const active = (p) => (p.members || []).filter((m) => m.state === "active");

function memberChecks(name, list, checked) {
    return list.map((m) => checkField(m.name, h("input", {
        type: "checkbox", name, value: String(m.id), checked: checked.includes(m.id),
    })));
}

function checkedIds(form, name) {
    return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((x) => Number(x.value));
}

async function actions(page, ctx, p) {
    const list = await api.get(`/partnerships/${seg(p.id)}/actions`);
    if (ctx.stale()) return;
    append(page, h("h2", null, t("Actions")));
    if (!list.length) {
        append(page, h("p", { id: "no-actions" }, t("No actions yet.")));
    } else {
        append(page, h("table", { class: "data", id: "action-list" },
            h("caption", null, t("The actions of the partnership")),
            h("thead", null, h("tr", null,
                h("th", { scope: "col" }, t("Action")),
                h("th", { scope: "col" }, t("Status")),
                h("th", { scope: "col" }, t("Leader")),
                h("th", { scope: "col" }, t("Members")),
                h("th", { scope: "col" }, t("Latest report")))),
            h("tbody", null, list.map((a) => h("tr", { "data-action": String(a.id) },
                h("th", { scope: "row" }, h("a", { href: `#/partnership/${seg(p.id)}/action/${seg(a.id)}` }, a.title)),
                h("td", null, statusBadge(a.status)),
                h("td", null, a.leader ? a.leader.name : "–"),
                h("td", null, (a.members || []).map((m) => m.name).join(", ") || "–"),
                h("td", null, a.last_report ? fmtDate(a.last_report) : t("none")))))));
    }
    append(page, h("p", null, t("Export:"), " "), planLinks(p.id));
    if (!atLeastP(p.role, "action_leader")) return;
    const members = active(p);
    const title = h("input", { type: "text", id: "na-title", maxlength: "200" });
    const objective = h("textarea", { id: "na-objective", rows: "3" });
    const leader = h("select", { id: "na-leader" }, members.map((m) => h("option", { value: String(m.id) }, m.name)));
    const msg = h("div", { class: "form-status" });
    const form = h("form", { class: "panel-form", id: "new-action", novalidate: true },
        h("h3", null, t("New action")),
        field(t("Title"), title),
        field(t("Objective"), objective),
        field(t("Leader"), leader),
        h("fieldset", { class: "checks" }, h("legend", null, t("Members of the action")),
            memberChecks("na-member", members, [])),
        msg,
        h("div", { class: "actions" }, h("button", { type: "submit" }, t("Create the action"))));
    wireForm(form, msg, async () => {
        if (!title.value.trim()) {
            append(msg, notice("error", t("Give the action a title.")));
            return;
        }
        const a = await api.post(`/partnerships/${seg(p.id)}/actions`, {
            title: title.value.trim(), objective: objective.value, leader: Number(leader.value),
            members: checkedIds(form, "na-member"),
        });
        go(`#/partnership/${seg(p.id)}/action/${seg(a.id)}`);
    }, t("The action was not created"));
    append(page, form);
}

// The funding instruments (GET /funding) in the current language, once;
// assessment.js lists them for a city's measures too.
let fundingCache = null;
export async function instruments() {
    const lang = currentLang();
    if (!fundingCache || fundingCache.lang !== lang) {
        fundingCache = { lang, list: api.get(`/funding?lang=${encodeURIComponent(lang)}`) };
    }
    return fundingCache.list;
}

let catalogueCache = null;
async function measureCatalogue() {
    const lang = currentLang();
    if (!catalogueCache || catalogueCache.lang !== lang) {
        catalogueCache = { lang, cat: api.get(`/catalogue?lang=${encodeURIComponent(lang)}`).catch(() => null) };
    }
    return catalogueCache.cat;
}

function linkItem(l) {
    const parts = [h("strong", null, l.city ? l.city.name : "")];
    if (l.measure) parts.push(" · ", t("measure: {name}", { name: l.measure.name }));
    if (l.assessment) {
        if (l.assessment.shared && l.city) {
            const sp = l.assessment.space || {};
            parts.push(" · ", h("a", { href: `#/city/${seg(l.city.id)}/space/${seg(sp.id)}` },
                t("assessment of {space}, version {v}", { space: sp.name || t("(unnamed)"), v: l.assessment.version })),
            " ", h("span", { class: "tlp" }, l.assessment.sharing));
        } else {
            parts.push(" · ", h("span", { class: "hint" }, t("an assessment not shared with you")));
        }
    }
    return h("li", { class: "link-item", "data-link": String(l.id) }, parts);
}

// Title, objective and members of an action, for those the API lets change
// it (may_edit); the leader only for a coordinator of the partnership.
function actionEditForm(p, a, base, reload) {
    const title = h("input", { type: "text", id: "ea-title", maxlength: "200", value: a.title || "" });
    const objective = h("textarea", { id: "ea-objective", rows: "4", maxlength: "4000" }, a.objective || "");
    const coord = atLeastP(p.role, "coordinator");
    const leaderNow = a.leader ? a.leader.member : null;
    const leader = coord ? h("select", { id: "ea-leader" }, active(p).map((m) =>
        h("option", { value: String(m.id), selected: m.id === leaderNow }, m.name))) : null;
    const was = (a.members || []).map((m) => m.member);
    const msg = h("div", { class: "form-status" });
    const panelId = "action-edit-form";
    const form = h("form", { class: "panel-form", id: panelId, hidden: true, novalidate: true },
        field(t("Title"), title),
        field(t("Objective"), objective),
        leader ? field(t("Leader"), leader) : h("p", { class: "hint small" }, t("Only a coordinator of the partnership names another leader.")),
        h("fieldset", { class: "checks" }, h("legend", null, t("Members of the action")),
            memberChecks("ea-member", active(p), was)),
        msg,
        h("div", { class: "actions" },
            h("button", { type: "submit" }, t("Save the action")),
            h("button", { type: "button", class: "secondary", onclick: () => toggle.click() }, t("Cancel"))));
    const toggle = h("button", {
        type: "button", class: "secondary", id: "edit-action", "aria-expanded": "false", "aria-controls": panelId,
        onclick: () => {
            const open = toggle.getAttribute("aria-expanded") !== "true";
            toggle.setAttribute("aria-expanded", open ? "true" : "false");
            form.hidden = !open;
            if (open) title.focus();
            else toggle.focus();
        },
    }, t("Change the action"));
    wireForm(form, msg, async () => {
        if (!title.value.trim()) {
            append(msg, notice("error", t("Give the action a title.")));
            return;
        }
        const body = {};
        if (title.value.trim() !== a.title) body.title = title.value.trim();
        if (objective.value !== (a.objective || "")) body.objective = objective.value;
        const members = checkedIds(form, "ea-member");
        if (members.slice().sort().join(",") !== was.slice().sort().join(",")) body.members = members;
        if (leader && Number(leader.value) !== leaderNow) body.leader = Number(leader.value);
        if (!Object.keys(body).length) {
            append(msg, notice("status", t("Nothing to save: nothing changed.")));
            return;
        }
        await api.put(base, body);
        reload();
    }, t("The action was not changed"));
    return h("section", { id: "action-edit", "aria-labelledby": "action-edit-title" },
        h("h2", { id: "action-edit-title", class: "visually-hidden" }, t("Change the action")),
        h("p", null, toggle), form);
}

async function renderAction(page, ctx, p, actionId) {
    const [a, funding, inst] = await Promise.all([
        api.get(`/partnerships/${seg(p.id)}/actions/${seg(actionId)}`),
        api.get(`/partnerships/${seg(p.id)}/actions/${seg(actionId)}/funding`).catch((e) => ({ error: e })),
        instruments().catch(() => []),
    ]);
    if (ctx.stale()) return;
    header(page, p, "actions", a.title);
    const base = `/partnerships/${seg(p.id)}/actions/${seg(a.id)}`;
    const reload = () => go(`#/partnership/${seg(p.id)}/action/${seg(a.id)}`);
    append(page,
        h("section", { id: "action-summary", "aria-label": t("Summary") },
            h("p", null, statusBadge(a.status)),
            h("dl", { class: "facts" },
                h("dt", null, t("Leader")), h("dd", { id: "action-leader" }, a.leader ? a.leader.name : "–"),
                h("dt", null, t("Members")), h("dd", null, (a.members || []).map((m) => m.name).join(", ") || "–"),
                h("dt", null, t("Created by")), h("dd", null, a.created_by || "–")),
            h("h2", null, t("Objective")),
            a.objective ? h("p", { class: "user-text", id: "action-objective" }, a.objective) : h("p", { class: "hint" }, t("No objective given."))));
    if (a.may_edit) append(page, actionEditForm(p, a, base, reload));

    // status reports
    const reports = h("section", { id: "reports", "aria-labelledby": "reports-title" },
        h("h2", { id: "reports-title" }, t("Status reports")));
    if (!(a.reports || []).length) {
        append(reports, h("p", { id: "no-reports" }, t("No status report yet.")));
    } else {
        append(reports, h("ol", { class: "timeline", id: "report-list" }, a.reports.map((r) => h("li", { class: "report", "data-report": String(r.id) },
            h("p", { class: "meta" }, h("time", { datetime: r.at }, fmtDate(r.at)), " · ", r.author, " · ", statusBadge(r.status)),
            h("p", { class: "user-text report-text" }, r.text),
            r.next_steps ? h("p", { class: "next-steps" }, h("strong", null, t("Next steps:")), " ",
                h("span", { class: "user-text" }, r.next_steps)) : null))));
    }
    if (a.may_edit) {
        const st = h("select", { id: "report-status" }, STATUSES.map((s) => h("option", { value: s, selected: s === a.status }, statusName(s))));
        const text = h("textarea", { id: "report-text", rows: "4" });
        const next = h("textarea", { id: "report-next", rows: "3" });
        const msg = h("div", { class: "form-status" });
        const form = h("form", { class: "panel-form", id: "report-form", novalidate: true },
            h("h3", null, t("Post a status report")),
            field(t("Status"), st),
            field(t("What happened"), text),
            field(t("Next steps"), next),
            msg,
            h("div", { class: "actions" }, h("button", { type: "submit" }, t("Post the report"))));
        wireForm(form, msg, async () => {
            if (!text.value.trim()) {
                append(msg, notice("error", t("Write what happened.")));
                return;
            }
            await api.post(`${base}/reports`, { status: st.value, text: text.value, next_steps: next.value });
            reload();
        }, t("The report was not posted"));
        append(reports, form);
    }
    append(page, reports);

    // deliverables
    const deliv = h("section", { id: "deliverables", "aria-labelledby": "deliverables-title" },
        h("h2", { id: "deliverables-title" }, t("Deliverables")));
    append(deliv, (a.deliverables || []).length
        ? h("ul", { id: "deliverable-list" }, a.deliverables.map((d) => h("li", null,
            d.url ? h("a", { href: d.url, rel: "noopener noreferrer", target: "_blank" }, d.title) : d.title,
            h("span", { class: "small" }, " · ", t("added {date} by {who}", { date: fmtDate(d.added_at), who: d.added_by })))))
        : h("p", null, t("No deliverable yet.")));
    if (a.may_edit) {
        const dt = h("input", { type: "text", id: "deliverable-title", maxlength: "200" });
        const du = h("input", { type: "url", id: "deliverable-url", maxlength: "2000", placeholder: "https://" });
        const msg = h("div", { class: "form-status" });
        const form = h("form", { class: "panel-form inline-form", id: "deliverable-form", novalidate: true },
            h("h3", null, t("Add a deliverable")),
            h("div", { class: "inline" }, field(t("Title"), dt), field(t("Address (optional)"), du)),
            msg,
            h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, t("Add the deliverable"))));
        wireForm(form, msg, async () => {
            const body = { title: dt.value.trim() };
            if (du.value.trim()) body.url = du.value.trim();
            await api.post(`${base}/deliverables`, body);
            reload();
        }, t("Not added"));
        append(deliv, form);
    }
    append(page, deliv);

    // links to assessments and measures of member cities
    const links = h("section", { id: "links", "aria-labelledby": "links-title" },
        h("h2", { id: "links-title" }, t("Related assessments and measures")));
    append(links, (a.links || []).length
        ? h("ul", { id: "link-list" }, a.links.map(linkItem))
        : h("p", null, t("No assessment or measure linked yet.")));
    const myCities = (state.session && state.session.cities || []).filter((c) =>
        (state.session.user && state.session.user.admin) || c.role === "assessor" || c.role === "coordinator");
    const memberCities = new Set(active(p).filter((m) => m.city).map((m) => String(m.city)));
    const linkCities = myCities.filter((c) => memberCities.has(String(c.id)));
    if (atLeastP(p.role, "member") && linkCities.length) {
        const cat = await measureCatalogue();
        if (ctx.stale()) return;
        const city = h("select", { id: "link-city" }, linkCities.map((c) => h("option", { value: String(c.id) }, c.name)));
        const assess = h("select", { id: "link-assessment" }, h("option", { value: "" }, t("(none)")));
        const measure = h("select", { id: "link-measure" }, h("option", { value: "" }, t("(none)")),
            ((cat && cat.measures) || []).map((m) => h("option", { value: m.id }, m.name || m.id)));
        const fill = async () => {
            clear(assess);
            append(assess, h("option", { value: "" }, t("(none)")));
            try {
                const sp = await api.get(`/cities/${seg(city.value)}/spaces`);
                const assessed = ((sp && sp.features) || []).map((f) => f.properties)
                    .filter((x) => x.risk && x.risk.assessment)
                    .sort((x, y) => (x.name || "").localeCompare(y.name || ""));
                for (const x of assessed) {
                    append(assess, h("option", { value: String(x.risk.assessment) },
                        t("{space}, version {v}", { space: x.name || t("(unnamed)"), v: x.risk.version })));
                }
            } catch (e) { /* the list stays empty */ }
        };
        city.addEventListener("change", fill);
        await fill();
        if (ctx.stale()) return;
        const msg = h("div", { class: "form-status" });
        const form = h("form", { class: "panel-form", id: "link-form", novalidate: true },
            h("h3", null, t("Link an assessment or a measure of your city")),
            field(t("City"), city),
            h("div", { class: "inline" }, field(t("Assessment"), assess), field(t("Measure"), measure)),
            msg,
            h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, t("Add the link"))));
        wireForm(form, msg, async () => {
            const body = { city: Number(city.value) };
            if (assess.value) body.assessment = Number(assess.value);
            if (measure.value) body.measure = measure.value;
            if (!body.assessment && !body.measure) {
                append(msg, notice("error", t("Choose an assessment, a measure, or both.")));
                return;
            }
            await api.post(`${base}/links`, body);
            reload();
        }, t("Not linked"));
        append(links, form);
    }
    append(page, links);

    // meetings
    append(page, h("section", { id: "action-meetings", "aria-labelledby": "action-meetings-title" },
        h("h2", { id: "action-meetings-title" }, t("Discussed at meetings")),
        (a.meetings || []).length
            ? h("ul", { id: "action-meeting-list" }, a.meetings.map((m) => h("li", { "data-meeting": String(m.id) },
                h("a", { href: `#/partnership/${seg(p.id)}/meeting/${seg(m.id)}` },
                    m.place ? t("{date}, {place}", { date: fmtDay(m.date), place: m.place }) : fmtDay(m.date)))))
            : h("p", null, t("Not discussed at a meeting yet."))));

    // funding
    const instName = new Map((inst || []).map((i) => [i.id, i]));
    const fsec = h("section", { id: "funding", "aria-labelledby": "funding-title" },
        h("h2", { id: "funding-title" }, t("Funding")));
    if (funding && funding.error) {
        append(fsec, notice("error", errorText(funding.error)));
    } else {
        append(fsec, (funding || []).length
            ? h("ul", { id: "funding-list" }, funding.map((f) => {
                const i = instName.get(f.instrument);
                return h("li", { "data-instrument": f.instrument },
                    i && i.url ? h("a", { href: i.url, rel: "noopener noreferrer", target: "_blank" }, i.name) : (i ? i.name : f.instrument),
                    f.note ? [" – ", h("span", { class: "user-text" }, f.note)] : null,
                    h("span", { class: "small" }, " · ", t("added {date} by {who}", { date: fmtDate(f.added_at), who: f.added_by })),
                    a.may_edit ? [" ", h("button", {
                        type: "button", class: "secondary small-button funding-remove",
                        onclick: async (ev) => {
                            ev.target.disabled = true;
                            try {
                                await api.del(`/partnerships/${seg(p.id)}/actions/${seg(actionId)}/funding/${seg(f.id)}`);
                                reload();
                            } catch (e) {
                                ev.target.disabled = false;
                                append(fsec, notice("error", errorText(e)));
                            }
                        },
                    }, t("Remove {name}", { name: i ? i.name : f.instrument }))] : null);
            }))
            : h("p", null, t("No funding instrument linked yet.")));
    }
    if (a.may_edit && (inst || []).length) {
        const sel = h("select", { id: "funding-instrument" }, inst.map((i) => h("option", { value: i.id }, i.name)));
        const note = h("input", { type: "text", id: "funding-note", maxlength: "500" });
        const desc = h("p", { class: "hint small", id: "funding-description", "aria-live": "polite" });
        const showDesc = () => {
            const i = instName.get(sel.value);
            desc.textContent = i ? i.description || "" : "";
        };
        sel.addEventListener("change", showDesc);
        showDesc();
        const msg = h("div", { class: "form-status" });
        const form = h("form", { class: "panel-form", id: "funding-form", novalidate: true },
            h("h3", null, t("Link a funding instrument")),
            field(t("Instrument"), sel), desc,
            field(t("Note"), note),
            msg,
            h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, t("Link the instrument"))));
        wireForm(form, msg, async () => {
            await api.post(`${base}/funding`, { instrument: sel.value, note: note.value });
            reload();
        }, t("Not linked"));
        append(fsec, form);
    }
    append(page, fsec);
}

// ---------- meetings ----------

async function meetings(page, ctx, p) {
    const [list, acts] = await Promise.all([
        api.get(`/partnerships/${seg(p.id)}/meetings`),
        api.get(`/partnerships/${seg(p.id)}/actions`),
    ]);
    if (ctx.stale()) return;
    append(page, h("h2", null, t("Meetings")));
    append(page, list.length
        ? h("table", { class: "data", id: "meeting-list" },
            h("caption", null, t("The meetings of the partnership")),
            h("thead", null, h("tr", null,
                h("th", { scope: "col" }, t("Date")),
                h("th", { scope: "col" }, t("Place")),
                h("th", { scope: "col" }, t("Participants")),
                h("th", { scope: "col" }, t("Actions discussed")))),
            h("tbody", null, list.map((m) => h("tr", { "data-meeting": String(m.id) },
                h("th", { scope: "row" }, h("a", { href: `#/partnership/${seg(p.id)}/meeting/${seg(m.id)}` }, fmtDay(m.date))),
                h("td", null, m.place || "–"),
                h("td", null, (m.participants || []).map((x) => x.name).join(", ") || "–"),
                h("td", null, (m.actions || []).map((x) => x.title).join(", ") || "–")))))
        : h("p", { id: "no-meetings" }, t("No meetings yet.")));
    if (!atLeastP(p.role, "action_leader")) return;
    const date = h("input", { type: "date", id: "nm-date" });
    const place = h("input", { type: "text", id: "nm-place", maxlength: "200" });
    const agenda = h("textarea", { id: "nm-agenda", rows: "4" });
    const msg = h("div", { class: "form-status" });
    const form = h("form", { class: "panel-form", id: "new-meeting", novalidate: true },
        h("h3", null, t("New meeting")),
        h("div", { class: "inline" }, field(t("Date"), date), field(t("Place"), place)),
        field(t("Agenda"), agenda),
        h("fieldset", { class: "checks" }, h("legend", null, t("Participants")), memberChecks("nm-member", active(p), [])),
        acts.length ? h("fieldset", { class: "checks" }, h("legend", null, t("Actions on the agenda")),
            acts.map((x) => checkField(x.title, h("input", { type: "checkbox", name: "nm-action", value: String(x.id) })))) : null,
        msg,
        h("div", { class: "actions" }, h("button", { type: "submit" }, t("Create the meeting"))));
    wireForm(form, msg, async () => {
        if (!date.value) {
            append(msg, notice("error", t("Give the date of the meeting.")));
            return;
        }
        const m = await api.post(`/partnerships/${seg(p.id)}/meetings`, {
            date: date.value, place: place.value.trim(), agenda: agenda.value,
            participants: checkedIds(form, "nm-member"), actions: checkedIds(form, "nm-action"),
        });
        go(`#/partnership/${seg(p.id)}/meeting/${seg(m.id)}`);
    }, t("The meeting was not created"));
    append(page, form);
}

function textBlock(id, title, text) {
    return h("section", { id, "aria-labelledby": `${id}-title` },
        h("h2", { id: `${id}-title` }, title),
        text ? h("p", { class: "user-text" }, text) : h("p", { class: "hint" }, t("Not written yet.")));
}

async function renderMeeting(page, ctx, p, meetingId) {
    const [m, acts] = await Promise.all([
        api.get(`/partnerships/${seg(p.id)}/meetings/${seg(meetingId)}`),
        api.get(`/partnerships/${seg(p.id)}/actions`),
    ]);
    if (ctx.stale()) return;
    const title = m.place ? t("Meeting of {date}, {place}", { date: fmtDay(m.date), place: m.place })
        : t("Meeting of {date}", { date: fmtDay(m.date) });
    header(page, p, "meetings", title);
    const linked = (m.actions || []).map((x) => x.id);
    append(page,
        h("dl", { class: "facts" },
            h("dt", null, t("Date")), h("dd", null, fmtDay(m.date)),
            h("dt", null, t("Place")), h("dd", null, m.place || "–"),
            h("dt", null, t("Participants")), h("dd", { id: "meeting-participants" }, (m.participants || []).map((x) => x.name).join(", ") || "–")),
        textBlock("agenda", t("Agenda"), m.agenda),
        textBlock("minutes", t("Minutes"), m.minutes),
        textBlock("outcomes", t("Outcomes"), m.outcomes),
        h("section", { id: "meeting-actions", "aria-labelledby": "meeting-actions-title" },
            h("h2", { id: "meeting-actions-title" }, t("Actions discussed")),
            (m.actions || []).length
                ? h("ul", { id: "meeting-action-list" }, m.actions.map((x) => h("li", { "data-action": String(x.id) },
                    h("a", { href: `#/partnership/${seg(p.id)}/action/${seg(x.id)}` }, x.title))))
                : h("p", null, t("No action linked yet."))));
    if (!atLeastP(p.role, "action_leader")) return;
    const minutes = h("textarea", { id: "meeting-minutes", rows: "6" }, m.minutes || "");
    const outcomes = h("textarea", { id: "meeting-outcomes", rows: "4" }, m.outcomes || "");
    const msg = h("div", { class: "form-status" });
    const form = h("form", { class: "panel-form", id: "minutes-form", novalidate: true },
        h("h2", null, t("Write the minutes")),
        field(t("Minutes"), minutes),
        field(t("Outcomes"), outcomes),
        acts.length ? h("fieldset", { class: "checks" }, h("legend", null, t("Actions discussed")),
            acts.map((x) => checkField(x.title, h("input", {
                type: "checkbox", name: "mm-action", value: String(x.id), checked: linked.includes(x.id),
            })))) : null,
        msg,
        h("div", { class: "actions" }, h("button", { type: "submit" }, t("Save the minutes"))));
    wireForm(form, msg, async () => {
        await api.put(`/partnerships/${seg(p.id)}/meetings/${seg(m.id)}`, {
            minutes: minutes.value, outcomes: outcomes.value, actions: checkedIds(form, "mm-action"),
        });
        go(`#/partnership/${seg(p.id)}/meeting/${seg(m.id)}`);
    }, t("Not saved"));
    append(page, form);
}

