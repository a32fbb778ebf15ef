// The space page: its outline on a small map with the entry points and the
// approach paths of the vehicle analysis (coloured by impact speed), the
// table of entries × vehicle class, the assessment (assessment.js), the
// perception surveys of the space (survey.js) and the report downloads in
// the current language.
// SPDX-License-Identifier: EUPL-1.2

/* global L */
import { api, seg, ApiError, BASE } from "./api.js";
import { t, fmt, currentLang } from "./i18n.js";
import { h, clear, append } from "./dom.js";
import { setTitle, notice, errorText } from "./app.js";
import { baseLayer } from "./tiles.js";
import { speedColour, speedLegend } from "./risk.js";
import { kindName } from "./city.js";
import { renderAssessment } from "./assessment.js";
import { renderSurveys } from "./survey.js";

function entryName(e) {
    const road = e.road || t("unnamed road");
    return t("Entry {n}: {road}", { n: e.id, road });
}

function entryKind(kind) {
    switch (kind) {
    case "kerb-side": return t("kerb-side");
    case "way": return t("road entry");
    default: return kind ? String(kind) : "";
    }
}

// Why an approach has no barrier rating (the analysis writes it in English).
function ratingNote(note) {
    if (!note) return "–";
    const m = /highest standard test speed \((\d+) km\/h\)/.exec(note);
    if (m) return t("above the highest standard test speed ({n} km/h)", { n: fmt(Number(m[1])) });
    return note;
}

function classesOf(vehicle) {
    const seen = [];
    for (const e of vehicle.entries || []) {
        for (const c of e.by_class || []) if (!seen.includes(c.class)) seen.push(c.class);
    }
    return seen;
}

function vehicleTable(vehicle) {
    const rows = [];
    for (const e of vehicle.entries || []) {
        const classes = e.by_class || [];
        classes.forEach((c, i) => {
            rows.push(h("tr", { class: i === 0 ? "group-start" : null },
                i === 0 ? h("th", { scope: "rowgroup", rowspan: classes.length },
                    entryName(e), h("br"),
                    h("span", { class: "small" }, entryKind(e.kind), " · ",
                        t("{n} m wide", { n: fmt(e.width_m, 1) }))) : null,
                h("td", null, c.class),
                h("td", { class: "num" }, fmt(c.speed_kmh, 0)),
                h("td", { class: "num" }, fmt(c.energy_kj, 0)),
                h("td", null, c.rating ? h("code", null, c.rating)
                    : h("span", { class: "small" }, ratingNote(c.rating_note)))));
        });
        if (classes.length === 0) {
            rows.push(h("tr", { class: "group-start" }, h("th", { scope: "row" }, entryName(e)),
                h("td", { colspan: 4 }, t("no vehicle class reaches this entry"))));
        }
    }
    return h("table", { class: "data vehicle-table", id: "vehicle-table" },
        h("caption", null, t("Impact speed, energy and the barrier rating needed, per entry and vehicle class")),
        h("thead", null, h("tr", null,
            h("th", { scope: "col" }, t("Entry")),
            h("th", { scope: "col" }, t("Vehicle class")),
            h("th", { scope: "col" }, t("Speed (km/h)")),
            h("th", { scope: "col" }, t("Energy (kJ)")),
            h("th", { scope: "col" }, t("Barrier rating")))),
        h("tbody", null, rows));
}

export async function renderSpace(page, ctx, cid, sid) {
    const base = `/cities/${seg(cid)}/spaces/${seg(sid)}`;
    const [city, space, vehicle] = await Promise.all([
        api.get(`/cities/${seg(cid)}`),
        api.get(base),
        api.get(`${base}/vehicle`).catch((e) => ({ error: e })),
    ]);
    if (ctx.stale()) return;
    const name = space.name || t("(unnamed)");
    setTitle(`${name} – ${city.name}`);

    append(page,
        h("nav", { class: "crumbs", "aria-label": t("Breadcrumb") }, h("ol", null,
            h("li", null, h("a", { href: "#/" }, t("Cities"))),
            h("li", null, h("a", { href: `#/city/${seg(cid)}` }, city.name)),
            h("li", null, h("a", { href: `#/city/${seg(cid)}/space/${seg(sid)}`, "aria-current": "page" }, name)))),
        h("h1", null, name),
        h("p", { class: "meta" },
            kindName(space.kind),
            space.area_m2 ? [" · ", `${fmt(space.area_m2)} m²`] : null,
            space.perimeter_m ? [" · ", t("perimeter {n} m", { n: fmt(space.perimeter_m) })] : null,
            space.osm ? [" · ", h("span", { class: "osm" }, space.osm)] : null));

    // approaches
    const sec = h("section", { class: "approaches", "aria-labelledby": "approaches-title" },
        h("h2", { id: "approaches-title" }, t("Vehicle approaches")));
    append(page, sec);
    const mapDiv = h("div", {
        id: "space-map", class: "map small-map", role: "region",
        "aria-label": t("Map of {space} with its entry points and approach paths", { space: name }),
    });
    let classSel = null;
    const hasVehicle = vehicle && !vehicle.error;
    if (!hasVehicle) {
        const e = vehicle && vehicle.error;
        append(sec, h("div", { class: "map-wrap" }, mapDiv),
            e instanceof ApiError && e.status === 404
                ? h("p", null, t("No vehicle analysis of this space yet (agora vehicle)."))
                : notice("error", errorText(e)));
    } else if (!vehicle.entries || vehicle.entries.length === 0) {
        append(sec, h("div", { class: "map-wrap" }, mapDiv),
            h("p", null, t("No drivable way reaches this space: no vehicle entry.")));
    } else {
        const classes = classesOf(vehicle);
        classSel = h("select", { id: "class-select" },
            h("option", { value: "" }, t("all classes")),
            classes.map((c) => h("option", { value: c }, c)));
        append(sec,
            h("p", null, t("{n} entry points. Each path is the fastest approach of a vehicle class to an entry; its colour is the speed at impact.",
                { n: fmt(vehicle.entries.length) })),
            h("div", { class: "map-wrap" }, mapDiv,
                h("div", { class: "map-side" },
                    h("div", { class: "field" }, h("label", { for: "class-select" }, t("Vehicle class on the map")), classSel),
                    speedLegend(fmt))),
            vehicleTable(vehicle));
    }

    // assessment
    const asec = h("section", { class: "assessment", id: "assessment", "aria-labelledby": "assessment-title" });
    append(page, asec);
    await renderAssessment(asec, ctx, cid, sid, space);
    if (ctx.stale()) return;

    // perception surveys
    const ssec = h("section", { class: "surveys", id: "surveys", "aria-labelledby": "surveys-title" });
    append(page, ssec);
    await renderSurveys(ssec, ctx, cid, sid);
    if (ctx.stale()) return;

    // reports
    const lang = currentLang();
    const report = (fmtName) => `${BASE}${base}/report?lang=${encodeURIComponent(lang)}&format=${fmtName}`;
    append(page, h("section", { class: "reports", "aria-labelledby": "reports-title" },
        h("h2", { id: "reports-title" }, t("Reports")),
        (space.assessments || []).length === 0
            ? h("p", null, t("The report of a space is written from its assessment: start one first."))
            : h("ul", { class: "downloads" },
                h("li", null, h("a", { href: report("html"), download: "", id: "report-html" },
                    t("Assessment report (HTML)"))),
                h("li", null, h("a", { href: report("pdf"), download: "", id: "report-pdf" },
                    t("Assessment report (PDF)")))),
        h("p", { class: "small" }, t("In the language of this page."))));

    page.onshown = () => {
        if (typeof L === "undefined") {
            append(clear(mapDiv), h("p", { class: "notice error" }, t("The map library could not be loaded.")));
            return;
        }
        const map = L.map(mapDiv, { zoomSnap: 0.5 });
        baseLayer(cid).addTo(map);
        const outline = L.geoJSON(space.geometry, {
            style: { color: "#1f3a93", weight: 3, fillColor: "#4a6fdc", fillOpacity: 0.25 },
            interactive: false,
        }).addTo(map);
        let bounds = outline.getBounds();
        const paths = L.layerGroup().addTo(map);
        const draw = () => {
            paths.clearLayers();
            if (!hasVehicle) return;
            const only = classSel ? classSel.value : "";
            const lines = [];
            for (const e of vehicle.entries || []) {
                for (const c of e.by_class || []) {
                    if (only && c.class !== only) continue;
                    if (!Array.isArray(c.path) || c.path.length < 2) continue;
                    lines.push({ e, c });
                }
            }
            lines.sort((a, b) => a.c.speed_kmh - b.c.speed_kmh); // fastest on top
            for (const { e, c } of lines) {
                const pl = L.polyline(c.path.map((p) => [p[1], p[0]]), {
                    color: speedColour(c.speed_kmh), weight: 4, opacity: 0.85,
                    className: "approach-path",
                });
                pl.bindTooltip(h("span", null, entryName(e), h("br"),
                    t("{cls}: {speed} km/h at impact", { cls: c.class, speed: fmt(c.speed_kmh) })), { sticky: true });
                paths.addLayer(pl);
            }
            for (const e of vehicle.entries || []) {
                const m = L.circleMarker([e.lat, e.lon], {
                    radius: 7, color: "#000000", weight: 2, fillColor: "#ffffff", fillOpacity: 1,
                    className: "entry-marker",
                });
                m.bindTooltip(h("span", null, entryName(e)));
                paths.addLayer(m);
            }
        };
        draw();
        if (classSel) classSel.addEventListener("change", draw);
        if (hasVehicle) {
            for (const e of vehicle.entries || []) {
                if (Number.isFinite(e.lat) && Number.isFinite(e.lon)) bounds = bounds.extend([e.lat, e.lon]);
            }
        }
        if (bounds.isValid()) map.fitBounds(bounds.pad(0.3));
        else map.setView([0, 0], 2);
        mapDiv.__agoraMap = map;
    };
}
