// The application: the session, the header (user, language, sign out) and
// a hash router:
//   #/login                      sign in
//   #/                           the user's cities and what others share
//   #/city/{cid}                 the city map and its spaces
//   #/city/{cid}/space/{sid}     one space: approaches, assessment, plan
//   #/training                   the training modules and the learner's progress
//   #/training/{lesson}          a lesson, its exercises; the practical lesson
//                                (also #/training/practical/{lesson})
//   #/partnerships               the user's partnerships and invitations
//   #/partnership/{pid}[/...]    one partnership: overview, members, actions
//                                (/action/{id}), meetings (/meeting/{id}),
//                                indicators (partnership.js)
//   #/practices, #/practice/{id} the good-practice library (practices.js)
//   #/city/{cid}/indicators      the city's urban indicator values
//   #/survey/{token}             a perception survey's public form: no
//                                account needed (a session, if any, is used
//                                for the header only)
// SPDX-License-Identifier: EUPL-1.2

import { api, setCsrf, ApiError } from "./api.js";
import { t, setLang, currentLang, isLang, LANGUAGES } from "./i18n.js";
import { h, clear, append } from "./dom.js";
import { renderLogin } from "./login.js";
import { renderCities } from "./cities.js";
import { renderCity } from "./city.js";
import { renderSpace } from "./space.js";
import { setTileUrl } from "./tiles.js";
import { renderTraining, renderLesson } from "./training.js";
import { renderSurveyForm } from "./survey.js";
import { renderPartnerships, renderPartnership } from "./partnership.js";
import { renderPractices, renderPractice } from "./practices.js";
import { renderCityIndicators } from "./indicators.js";

export const state = {
    session: null, // the session object of the API, null when signed out
};

const ROLES = { viewer: 1, assessor: 2, coordinator: 3 };

// The user's role in city cid ("viewer", "assessor", "coordinator"), or
// null; an administrator is a coordinator everywhere.
export function roleIn(cid) {
    const s = state.session;
    if (!s) return null;
    if (s.user && s.user.admin) return "coordinator";
    const c = (s.cities || []).find((x) => String(x.id) === String(cid));
    return c ? c.role : null;
}

export function atLeast(cid, role) {
    return (ROLES[roleIn(cid)] || 0) >= ROLES[role];
}

export function roleName(role) {
    switch (role) {
    case "coordinator": return t("coordinator");
    case "assessor": return t("assessor");
    case "viewer": return t("viewer");
    default: return role || "";
    }
}

export function go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
}

export function setTitle(text) {
    document.title = text ? `${text} – agora` : "agora";
}

// A message in a live region: kind "error" (role alert) or "status".
export function notice(kind, ...content) {
    return h("div", {
        class: `notice ${kind}`,
        role: kind === "error" ? "alert" : "status",
    }, ...content);
}

// The message for an API error a page could not load past.
export function errorText(e) {
    if (e instanceof ApiError) {
        if (e.status === 0) return t("The server cannot be reached.");
        if (e.status === 403) return t("You are not allowed to see this.");
        if (e.status === 404) return t("Not found.");
        return t("Error {status}: {message}", { status: e.status, message: e.message });
    }
    return String(e && e.message ? e.message : e);
}

function storedLang() {
    try {
        const l = localStorage.getItem("agora.lang");
        if (isLang(l)) return l;
    } catch (e) { /* storage off */ }
    const nav = (navigator.language || "en").slice(0, 2);
    return isLang(nav) ? nav : "en";
}

function rememberLang(l) {
    try {
        localStorage.setItem("agora.lang", l);
    } catch (e) { /* storage off */ }
}

export async function signedIn(session) {
    state.session = session;
    setCsrf(session && session.csrf);
    const l = session && session.user && isLang(session.user.lang) ? session.user.lang : storedLang();
    await setLang(l);
}

async function signOut() {
    try {
        await api.del("/session");
    } catch (e) { /* gone already */ }
    state.session = null;
    setCsrf(null);
    go("#/login");
}

async function changeLang(l) {
    if (!isLang(l) || l === currentLang()) return;
    if (state.session) {
        try {
            await api.put("/session/lang", { lang: l });
            if (state.session.user) state.session.user.lang = l;
        } catch (e) {
            if (e instanceof ApiError && e.status === 401) {
                state.session = null;
            }
        }
    }
    rememberLang(l);
    await setLang(l);
    await route();
    const sel = document.getElementById("lang-select");
    if (sel) sel.focus();
}

// aria-current of a header link: "page" on its own page, "true" on the
// pages below it, none elsewhere. section: [name, exact] or null.
function current(section, name) {
    if (!section || section[0] !== name) return null;
    return section[1] ? "page" : "true";
}

// section: [name, exact] for the signed-in pages, null on the sign-in page;
// publicPage: a page for anyone (the survey form), whose brand links nowhere
// when signed out.
function renderHeader(section, publicPage) {
    const header = document.getElementById("header");
    clear(header);
    const skip = document.getElementById("skip");
    skip.textContent = t("Skip to content");

    const s = state.session;
    const langSel = h("select", {
        id: "lang-select",
        onchange: (ev) => changeLang(ev.target.value),
    }, LANGUAGES.map(([code, name]) =>
        h("option", { value: code, lang: code, selected: code === currentLang() }, name)));

    append(header,
        s ? h("a", { class: "brand", href: "#/" }, "agora")
            : publicPage ? h("span", { class: "brand" }, "agora")
                : h("a", { class: "brand", href: "#/login" }, "agora"),
        s ? h("nav", { "aria-label": t("Main") },
            h("ul", null,
                h("li", null, h("a", { href: "#/", "aria-current": current(section, "cities") }, t("Cities"))),
                h("li", null, h("a", { href: "#/partnerships", id: "nav-partnerships", "aria-current": current(section, "partnerships") },
                    t("Partnerships"))),
                h("li", null, h("a", { href: "#/practices", id: "nav-practices", "aria-current": current(section, "practices") },
                    t("Good practices"))),
                h("li", null, h("a", { href: "#/training", id: "nav-training", "aria-current": current(section, "training") },
                    t("Training"))))) : null,
        h("div", { class: "header-tools" },
            s && s.user ? h("span", { class: "who" },
                h("span", { class: "who-name" }, s.user.display_name || s.user.name),
                s.user.organisation ? h("span", { class: "who-org" }, s.user.organisation) : null)
                : null,
            h("label", { for: "lang-select", class: "lang-label" }, t("Language")),
            langSel,
            s ? h("button", { type: "button", class: "secondary", onclick: signOut }, t("Sign out"))
                : null),
    );
}

let renderSeq = 0;
// Whether GET /session was asked once for a public page (a citizen has no
// session: asked again on each render, it would only say 401 again).
let sessionProbed = false;

// Pages anyone may open, without an account.
function isPublic(parts) {
    return parts[0] === "survey";
}

// Renders the page of the current hash. Each render gets a token; a page
// that finishes loading after the user moved on draws nothing.
export async function route() {
    const seq = ++renderSeq;
    const main = document.getElementById("main");
    const hash = location.hash || "#/";
    const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);

    const open = isPublic(parts);
    if (!state.session && parts[0] !== "login" && !(open && sessionProbed)) {
        try {
            if (open) sessionProbed = true;
            await signedIn(await api.get("/session"));
        } catch (e) {
            if (seq !== renderSeq) return;
            if (open) {
                // signed out: the public page in the language of the browser
            } else if (!(e instanceof ApiError) || e.status !== 401) {
                renderHeader();
                append(clear(main), notice("error", errorText(e)));
                return;
            } else {
                sessionStorage.setItem("agora.after", hash);
                location.replace("#/login");
                return;
            }
        }
    }
    if (seq !== renderSeq) return;
    renderHeader(parts[0] === "training" ? ["training", parts.length === 1]
        : parts[0] === "partnerships" || parts[0] === "partnership" ? ["partnerships", parts[0] === "partnerships"]
            : parts[0] === "practices" || parts[0] === "practice" ? ["practices", parts[0] === "practices"]
                : parts[0] === "login" || open ? null : ["cities", parts.length === 0], open);
    const ctx = { stale: () => seq !== renderSeq };
    const page = h("div", { class: "page" });
    try {
        if (parts[0] === "login") {
            await renderLogin(page, ctx);
        } else if (parts.length === 0) {
            await renderCities(page, ctx);
        } else if (parts[0] === "city" && parts.length === 2) {
            await renderCity(page, ctx, parts[1]);
        } else if (parts[0] === "city" && parts[2] === "space" && parts.length === 4) {
            await renderSpace(page, ctx, parts[1], parts[3]);
        } else if (parts[0] === "training" && parts.length === 1) {
            await renderTraining(page, ctx);
        } else if (parts[0] === "training" && parts.length === 2) {
            await renderLesson(page, ctx, parts[1]);
        } else if (parts[0] === "training" && parts[1] === "practical" && parts.length === 3) {
            await renderLesson(page, ctx, parts[2]);
        } else if (parts[0] === "city" && parts[2] === "indicators" && parts.length === 3) {
            await renderCityIndicators(page, ctx, parts[1]);
        } else if (parts[0] === "partnerships" && parts.length === 1) {
            await renderPartnerships(page, ctx);
        } else if (parts[0] === "partnership" && parts.length >= 2 && parts.length <= 4
            && (parts.length !== 4 || parts[2] === "action" || parts[2] === "meeting")) {
            await renderPartnership(page, ctx, parts[1], parts[2], parts[3]);
        } else if (parts[0] === "practices" && parts.length === 1) {
            await renderPractices(page, ctx);
        } else if (parts[0] === "practice" && parts.length === 2) {
            await renderPractice(page, ctx, parts[1]);
        } else if (parts[0] === "survey" && parts.length === 2) {
            await renderSurveyForm(page, ctx, parts[1]);
        } else {
            setTitle(t("Not found."));
            append(page, h("h1", { tabindex: "-1" }, t("Not found.")),
                h("p", null, h("a", { href: "#/" }, t("Back to the cities"))));
        }
    } catch (e) {
        if (e instanceof ApiError && e.status === 401 && !open) {
            state.session = null;
            sessionStorage.setItem("agora.after", hash);
            location.replace("#/login");
            return;
        }
        if (seq !== renderSeq) return;
        append(page, notice("error", errorText(e)));
    }
    if (seq !== renderSeq) return;
    append(clear(main), page);
    if (typeof page.onshown === "function") page.onshown();
    const focusTarget = document.activeElement;
    if (!focusTarget || focusTarget === document.body || !document.body.contains(focusTarget)) {
        const h1 = main.querySelector("h1");
        if (h1) {
            h1.setAttribute("tabindex", "-1");
            h1.focus({ preventScroll: true });
        }
    }
}

function start() {
    document.getElementById("skip").addEventListener("click", (ev) => {
        ev.preventDefault();
        document.getElementById("main").focus();
    });
    window.addEventListener("hashchange", () => route());
    Promise.all([
        api.get("/health").then((x) => setTileUrl(x && x.tile_url)).catch(() => {}),
        setLang(storedLang()),
    ]).then(route);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
