// The home page: the cities the user has a role in (GET /api/v1/cities) and
// the assessments other cities share with him (GET /api/v1/shared).
// SPDX-License-Identifier: EUPL-1.2

import { api, seg } from "./api.js";
import { t, fmtDate } from "./i18n.js";
import { h, append } from "./dom.js";
import { setTitle, roleName, notice, errorText } from "./app.js";

function cityName(c) {
    if (c && typeof c === "object") return c.name || String(c.id);
    return c === undefined || c === null ? "" : String(c);
}

export async function renderCities(page, ctx) {
    setTitle(t("Cities"));
    const [cities, shared] = await Promise.all([
        api.get("/cities"),
        api.get("/shared").catch((e) => ({ error: e })),
    ]);
    if (ctx.stale()) return;

    append(page, h("h1", null, t("Your cities")));
    if (!cities || cities.length === 0) {
        append(page, h("p", null, t("You have no role in any city yet. Ask a coordinator or an administrator to grant you one.")));
    } else {
        append(page, h("ul", { class: "cards", "aria-label": t("Your cities") }, cities.map((c) =>
            h("li", { class: "card" },
                h("h2", null, h("a", { href: `#/city/${seg(c.id)}` }, c.name)),
                h("p", null, roleName(c.role),
                    c.partner ? [" · ", t("partner organisation")] : null)))));
    }

    append(page, h("h2", null, t("Shared with you")));
    if (shared && shared.error) {
        append(page, notice("error", errorText(shared.error)));
    } else if (!shared || shared.length === 0) {
        append(page, h("p", null, t("No other city shares an assessment with you.")));
    } else {
        append(page, h("table", { class: "data" },
            h("caption", null, t("Assessments other cities share with you")),
            h("thead", null, h("tr", null,
                h("th", { scope: "col" }, t("City")),
                h("th", { scope: "col" }, t("Space")),
                h("th", { scope: "col" }, t("Version")),
                h("th", { scope: "col" }, t("Sharing")),
                h("th", { scope: "col" }, t("Updated")),
                h("th", { scope: "col" }, t("Measures in place")))),
            h("tbody", null, shared.map((a) => h("tr", null,
                h("td", null, cityName(a.city)),
                h("td", null, a.space && typeof a.space === "object" ? a.space.name : String(a.space ?? "")),
                h("td", { class: "num" }, String(a.version ?? "")),
                h("td", null, h("span", { class: "tlp" }, a.sharing || "")),
                h("td", null, fmtDate(a.updated_at)),
                h("td", null, (a.measures || []).filter((m) => !m.status || m.status === "existing")
                    .map((m) => m.name || m.id).join(", ")))))));
    }
}
