// The city page: a map of the city (its roads and buildings from the API's
// vector tiles, its public spaces coloured by risk, or by the perception
// index of their surveys) and the searchable list of its spaces beside it,
// the keyboard path to every space page; below, the perception index of
// each surveyed space beside its recorded incidents, the spaces where the
// two diverge marked (docs/methodology.md §20.3).
// SPDX-License-Identifier: EUPL-1.2

/* global L */
import { api, seg, ApiError } from "./api.js";
import { t, fmt, fmtDate } from "./i18n.js";
import { h, clear, append } from "./dom.js";
import { setTitle, go, roleName, roleIn } from "./app.js";
import { baseLayer } from "./tiles.js";
import { riskLevel, riskLabel, riskLegend, badge } from "./risk.js";
import { perceptionBand, perceptionLegend, divergenceLabel, indexText, NOT_SURVEYED } from "./survey.js";

// What colours the spaces: "risk" (the default) or "perception"; kept while
// the page is open, across cities.
let colourBy = "risk";

export function kindName(kind) {
    switch (kind) {
    case "square": return t("square");
    case "pedestrian_area": return t("pedestrian area");
    case "pedestrian_street": return t("pedestrian street");
    case "marketplace": return t("marketplace");
    case "station_forecourt": return t("station forecourt");
    case "event_venue": return t("event venue");
    case "park": return t("park");
    case "playground": return t("playground");
    case "beach": return t("beach");
    case "promenade": return t("promenade");
    case "custom": return t("custom perimeter");
    default: return kind ? String(kind).replace(/_/g, " ") : "";
    }
}

export function spaceHash(cid, sid) {
    return `#/city/${seg(cid)}/space/${seg(sid)}`;
}

// perceived: space id → the space's row of GET .../perception.
function spaceStyle(feature, highlighted, perceived) {
    const p = feature.properties || {};
    if (colourBy === "perception") {
        const row = perceived.get(String(p.id));
        const band = row ? perceptionBand(row.index) : null;
        const diverges = row && (row.diverges === "fear" || row.diverges === "incidents");
        return {
            color: highlighted || diverges ? "#000000" : "#333333",
            weight: highlighted ? 4 : diverges ? 3 : 1.5,
            dashArray: diverges ? "6 4" : null,
            fillColor: band ? band.fill : NOT_SURVEYED,
            fillOpacity: band ? (highlighted ? 0.9 : 0.75) : 0.25,
        };
    }
    const band = riskLevel(p.risk);
    return {
        color: highlighted ? "#000000" : "#333333",
        weight: highlighted ? 4 : 1.5,
        dashArray: null,
        fillColor: band.fill,
        fillOpacity: highlighted ? 0.85 : 0.6,
    };
}

// A tooltip's content as an element: Leaflet writes string content as HTML.
function tipContent(p, perceived) {
    const row = perceived.get(String(p.id));
    return h("span", null, h("strong", null, p.name || t("(unnamed)")), h("br"),
        kindName(p.kind), " · ", t("Risk"), ": ", riskLabel(p.risk),
        colourBy === "perception" ? [h("br"), row
            ? [t("Perception index: {index}", { index: indexText(row.index, row.lo, row.hi) }),
                row.diverges === "fear" || row.diverges === "incidents" ? [h("br"), divergenceLabel(row.diverges)] : null]
            : t("no survey answers")] : null);
}

// The table of the perception index beside the incidents (GET .../perception).
function perceptionSection(cid, perception) {
    const sec = h("section", { class: "perception", id: "perception", "aria-labelledby": "perception-title" },
        h("h2", { id: "perception-title" }, t("Perception and incidents")));
    if (!perception || perception.error) {
        append(sec, h("p", { class: "notice error", role: "alert" },
            t("The perception index could not be loaded."), " ",
            perception && perception.error ? String(perception.error.message || "") : ""));
        return sec;
    }
    const rows = (perception.spaces || []).slice().sort((a, b) =>
        (a.name || "").localeCompare(b.name || "") || a.space - b.space);
    append(sec, h("p", { class: "lead" }, t("Each space with survey answers: how safe people feel there (the perception index, 0 least safe to 100 safest, with its 95 % interval) beside the incidents recorded inside it. Where the space's rank in fear and its rank in incidents are half the ranking apart, the two diverge: look there first.")));
    if (rows.length === 0) {
        append(sec, h("p", { id: "perception-empty" }, t("No space has survey answers yet: create a survey on a space's page.")));
        return sec;
    }
    const sets = perception.incident_sets || [];
    append(sec, h("div", { class: "table-scroll" }, h("table", { class: "data perception-table", id: "perception-table" },
        h("caption", null, t("Perception index and recorded incidents per space")),
        h("thead", null, h("tr", null,
            h("th", { scope: "col" }, t("Space")),
            h("th", { scope: "col", class: "num" }, t("Respondents")),
            h("th", { scope: "col", class: "num" }, t("Perception index (95 % interval)")),
            h("th", { scope: "col", class: "num" }, t("Incidents")),
            h("th", { scope: "col", class: "num" }, t("Incidents per hectare")),
            h("th", { scope: "col" }, t("Fear and incidents")))),
        h("tbody", null, rows.map((r) => {
            const band = perceptionBand(r.index);
            return h("tr", { "data-space": String(r.space), class: r.diverges === "fear" || r.diverges === "incidents" ? "diverges" : null },
                h("th", { scope: "row" }, h("a", { href: spaceHash(cid, r.space) }, r.name || t("(unnamed)"))),
                h("td", { class: "num respondents" }, fmt(r.respondents)),
                h("td", { class: "num index" },
                    band ? h("span", { class: "swatch", style: `background:${band.fill}`, "aria-hidden": "true" }) : null,
                    indexText(r.index, r.lo, r.hi)),
                h("td", { class: "num incidents" }, fmt(r.incidents)),
                h("td", { class: "num per-ha" }, r.per_ha === null || r.per_ha === undefined ? "–" : fmt(r.per_ha, 1)),
                h("td", { class: `divergence${r.diverges ? ` diverges-${r.diverges}` : ""}` }, divergenceLabel(r.diverges)));
        })))));
    append(sec, h("p", { class: "small", id: "incident-sets" }, sets.length
        ? t("Incidents counted from the sets: {sets}.", { sets: sets.join(", ") })
        : t("No incidents are stored for these spaces (agora incidents import): fear cannot be compared with incidents.")));
    if (sets.length && rows.every((r) => r.diverges === null || r.diverges === undefined)) {
        append(sec, h("p", { class: "small" }, t("Fear and incidents are compared by their ranks, which needs at least three surveyed spaces.")));
    }
    return sec;
}

export async function renderCity(page, ctx, cid) {
    const [city, spaces, perception] = await Promise.all([
        api.get(`/cities/${seg(cid)}`),
        api.get(`/cities/${seg(cid)}/spaces`),
        api.get(`/cities/${seg(cid)}/perception`).catch((e) => {
            if (e instanceof ApiError && e.status === 401) throw e;
            return { error: e };
        }),
    ]);
    if (ctx.stale()) return;
    setTitle(city.name);
    const features = ((spaces && spaces.features) || []).slice()
        .sort((a, b) => {
            const x = a.properties.name || "", y = b.properties.name || "";
            if (!x !== !y) return x ? -1 : 1; // the unnamed last
            return x.localeCompare(y) || kindName(a.properties.kind).localeCompare(kindName(b.properties.kind));
        });

    const role = roleIn(cid) || city.role;
    append(page,
        h("nav", { class: "crumbs", "aria-label": t("Breadcrumb") }, h("ol", null,
            h("li", null, h("a", { href: "#/" }, t("Cities"))),
            h("li", null, h("a", { href: `#/city/${seg(cid)}`, "aria-current": "page" }, city.name)))),
        h("h1", null, city.name),
        h("p", { class: "meta" },
            t("{n} public spaces", { n: fmt(features.length) }),
            city.imported_at ? [" · ", t("imported {date}", { date: fmtDate(city.imported_at) })] : null,
            role ? [" · ", t("your role: {role}", { role: roleName(role) })] : null),
        h("p", { class: "city-links" }, h("a", { href: `#/city/${seg(cid)}/indicators`, id: "city-indicators-link" },
            t("Urban indicators of {city}", { city: city.name }))));

    // the list
    const search = h("input", { id: "space-search", type: "search", autocomplete: "off" });
    const count = h("p", { class: "count", role: "status", "aria-live": "polite" });
    const list = h("ul", { class: "space-list", id: "space-list" });
    const items = [];
    let layers = new Map(); // space id → Leaflet layer
    let highlighted = null;
    const perceived = new Map(); // space id → its row of the perception
    for (const r of (perception && perception.spaces) || []) perceived.set(String(r.space), r);

    function highlight(id, on) {
        const layer = layers.get(String(id));
        if (!layer) return;
        if (highlighted && highlighted !== layer) highlighted.setStyle(spaceStyle(highlighted.feature, false, perceived));
        layer.setStyle(spaceStyle(layer.feature, on, perceived));
        if (on) layer.bringToFront();
        highlighted = on ? layer : null;
    }

    for (const f of features) {
        const p = f.properties;
        const band = riskLevel(p.risk);
        const li = h("li", null,
            h("a", {
                href: spaceHash(cid, p.id),
                onfocus: () => highlight(p.id, true),
                onblur: () => highlight(p.id, false),
                onmouseenter: () => highlight(p.id, true),
                onmouseleave: () => highlight(p.id, false),
            }, p.name || t("(unnamed)")),
            h("span", { class: "space-kind" }, kindName(p.kind),
                p.area_m2 ? [" · ", `${fmt(p.area_m2)} m²`] : null),
            badge(band));
        li.dataset.search = `${p.name || ""} ${kindName(p.kind)} ${p.osm || ""}`.toLowerCase();
        items.push(li);
        append(list, li);
    }

    function filter() {
        const q = search.value.trim().toLowerCase();
        let n = 0;
        for (const li of items) {
            const show = !q || li.dataset.search.includes(q);
            li.hidden = !show;
            if (show) n += 1;
        }
        count.textContent = q ? t("{n} of {total} spaces shown", { n: fmt(n), total: fmt(items.length) })
            : t("{n} spaces", { n: fmt(items.length) });
    }
    search.addEventListener("input", filter);
    filter();

    const aside = h("section", { class: "space-panel", "aria-labelledby": "spaces-title" },
        h("h2", { id: "spaces-title" }, t("Public spaces")),
        h("div", { class: "field" }, h("label", { for: "space-search" }, t("Search spaces")), search),
        count, list);

    const mapDiv = h("div", {
        id: "city-map", class: "map", role: "region",
        "aria-label": t("Map of {city}", { city: city.name }),
    });
    const legendBox = h("div", { class: "legend-box" }, colourBy === "perception" ? perceptionLegend() : riskLegend());
    const choice = h("fieldset", { class: "colour-by", id: "colour-by" },
        h("legend", null, t("Colour spaces by:")),
        [["risk", t("risk")], ["perception", t("perception index")]].map(([v, label]) =>
            h("label", { class: "radio-inline" },
                h("input", { type: "radio", name: "colour-by", value: v, checked: colourBy === v }), " ", label)));
    const mapFig = h("section", { class: "map-panel", "aria-label": t("Map") },
        choice, mapDiv, legendBox,
        h("p", { class: "hint" }, t("Click a space on the map, or choose it in the list, to open its page.")));

    append(page, h("div", { class: "city-layout" }, mapFig, aside), perceptionSection(cid, perception));

    const recolour = () => {
        for (const lyr of layers.values()) lyr.setStyle(spaceStyle(lyr.feature, lyr === highlighted, perceived));
        append(clear(legendBox), colourBy === "perception" ? perceptionLegend() : riskLegend());
    };
    choice.addEventListener("change", (ev) => {
        if (ev.target && ev.target.name === "colour-by") {
            colourBy = ev.target.value === "perception" ? "perception" : "risk";
            recolour();
        }
    });

    page.onshown = () => {
        if (typeof L === "undefined") {
            append(clear(mapDiv), h("p", { class: "notice error" }, t("The map library could not be loaded.")));
            return;
        }
        const map = L.map(mapDiv, { zoomSnap: 0.5, preferCanvas: false });
        baseLayer(cid).addTo(map);
        const layer = L.geoJSON(spaces, {
            style: (f) => ({
                ...spaceStyle(f, false, perceived),
                className: `space-shape space-${f.properties.id}`,
            }),
            onEachFeature: (f, lyr) => {
                layers.set(String(f.properties.id), lyr);
                lyr.bindTooltip(() => tipContent(f.properties, perceived), { sticky: true });
                lyr.on("click", () => go(spaceHash(cid, f.properties.id)));
            },
        }).addTo(map);
        mapDiv.__agoraMap = map;
        const bb = city.bbox;
        if (Array.isArray(bb) && bb.length === 4) {
            map.fitBounds([[bb[1], bb[0]], [bb[3], bb[2]]]);
        } else if (layer.getLayers().length) {
            map.fitBounds(layer.getBounds());
        } else if (Array.isArray(city.center)) {
            map.setView([city.center[1], city.center[0]], 15);
        } else {
            map.setView([0, 0], 2);
        }
    };
}
