// The city page: a map of the city (its roads and buildings from the API's
// vector tiles, its public spaces coloured by risk) and the searchable list
// of its spaces beside it, the keyboard path to every space page.
// SPDX-License-Identifier: EUPL-1.2

/* global L */
import { api, seg } from "./api.js";
import { t, fmt, fmtDate } from "./i18n.js";
import { h, clear, append } from "./dom.js";
import { setTitle, go, roleName, roleIn } from "./app.js";
import { baseLayer } from "./tiles.js";
import { riskLevel, riskLabel, riskLegend, badge } from "./risk.js";

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

function spaceStyle(feature, highlighted) {
    const band = riskLevel(feature.properties && feature.properties.risk);
    return {
        color: highlighted ? "#000000" : "#333333",
        weight: highlighted ? 4 : 1.5,
        fillColor: band.fill,
        fillOpacity: highlighted ? 0.85 : 0.6,
    };
}

// A tooltip's content as an element: Leaflet writes string content as HTML.
function tipContent(p) {
    return h("span", null, h("strong", null, p.name || t("(unnamed)")), h("br"),
        kindName(p.kind), " · ", t("Risk"), ": ", riskLabel(p.risk));
}

export async function renderCity(page, ctx, cid) {
    const [city, spaces] = await Promise.all([
        api.get(`/cities/${seg(cid)}`),
        api.get(`/cities/${seg(cid)}/spaces`),
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
            role ? [" · ", t("your role: {role}", { role: roleName(role) })] : null));

    // the list
    const search = h("input", { id: "space-search", type: "search", autocomplete: "off" });
    const count = h("p", { class: "count", role: "status", "aria-live": "polite" });
    const list = h("ul", { class: "space-list", id: "space-list" });
    const items = [];
    let layers = new Map(); // space id → Leaflet layer
    let highlighted = null;

    function highlight(id, on) {
        const layer = layers.get(String(id));
        if (!layer) return;
        if (highlighted && highlighted !== layer) highlighted.setStyle(spaceStyle(highlighted.feature, false));
        layer.setStyle(spaceStyle(layer.feature, on));
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
    const mapFig = h("section", { class: "map-panel", "aria-label": t("Map") },
        mapDiv, riskLegend(),
        h("p", { class: "hint" }, t("Click a space on the map, or choose it in the list, to open its page.")));

    append(page, h("div", { class: "city-layout" }, mapFig, aside));

    page.onshown = () => {
        if (typeof L === "undefined") {
            append(clear(mapDiv), h("p", { class: "notice error" }, t("The map library could not be loaded.")));
            return;
        }
        const map = L.map(mapDiv, { zoomSnap: 0.5, preferCanvas: false });
        baseLayer(cid).addTo(map);
        const layer = L.geoJSON(spaces, {
            style: (f) => spaceStyle(f, false),
            onEachFeature: (f, lyr) => {
                layers.set(String(f.properties.id), lyr);
                lyr.bindTooltip(tipContent(f.properties), { sticky: true });
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
