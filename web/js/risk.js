// The colour scales of the map: risk levels of spaces (the bands of the
// report's risk matrix, lib/doc: green, yellow, orange, red; grey when not
// assessed) and impact speeds of approach paths.
// SPDX-License-Identifier: EUPL-1.2

import { t } from "./i18n.js";
import { h } from "./dom.js";

// key, fill colour, text colour on that fill (contrast ≥ 4.5:1)
const LEVELS = [
    { key: "none", fill: "#8c8c8c", ink: "#000000" },
    { key: "low", fill: "#1a9641", ink: "#000000" },
    { key: "medium", fill: "#fdd835", ink: "#000000" },
    { key: "high", fill: "#fb8c00", ink: "#000000" },
    { key: "very high", fill: "#d7191c", ink: "#ffffff" },
];

function levelLabel(key) {
    switch (key) {
    case "low": return t("low");
    case "medium": return t("medium");
    case "high": return t("high");
    case "very high": return t("very high");
    default: return t("not assessed");
    }
}

// The level of a space's risk object (properties.risk of GET .../spaces):
// null → not assessed; level a name ("low" … "very high") or a number
// (1..4: the band; above 4: a matrix product likelihood × impact).
export function riskLevel(risk) {
    if (!risk || risk.level === null || risk.level === undefined) return LEVELS[0];
    const lv = risk.level;
    if (typeof lv === "number") {
        let i;
        if (lv > 4) i = lv <= 9 ? 2 : lv <= 16 ? 3 : 4;
        else i = Math.max(1, Math.min(4, Math.round(lv)));
        return LEVELS[i];
    }
    const name = String(lv).toLowerCase().replace(/[_-]/g, " ").trim();
    const found = LEVELS.find((l) => l.key === name);
    if (found) return found;
    if (name === "critical" || name === "extreme") return LEVELS[4];
    if (name === "very low") return LEVELS[1];
    return LEVELS[0];
}

export function riskLabel(risk) {
    return levelLabel(riskLevel(risk).key);
}

// The band of a matrix cell (row × col, 1..25), as in ag_doc_band.
export function bandOfProduct(p) {
    if (!p) return LEVELS[0];
    if (p <= 4) return LEVELS[1];
    if (p <= 9) return LEVELS[2];
    if (p <= 16) return LEVELS[3];
    return LEVELS[4];
}

export function bandLabel(band) {
    return levelLabel(band.key);
}

// A coloured badge with the level written in it (colour never alone).
export function badge(band, text) {
    return h("span", {
        class: "badge",
        style: `background:${band.fill};color:${band.ink}`,
    }, text === undefined ? levelLabel(band.key) : text);
}

export function riskLegend() {
    const items = [LEVELS[4], LEVELS[3], LEVELS[2], LEVELS[1], LEVELS[0]].map((l) =>
        h("li", null, h("span", { class: "swatch", style: `background:${l.fill}`, "aria-hidden": "true" }),
            levelLabel(l.key)));
    return h("figure", { class: "legend" },
        h("figcaption", null, t("Risk")), h("ul", null, items));
}

// Impact speed bands (km/h), on the IWA 14 / ISO 22343 test speeds.
const SPEEDS = [
    { max: 32, colour: "#2b83ba" },
    { max: 48, colour: "#1a9641" },
    { max: 64, colour: "#e6a100" },
    { max: 80, colour: "#e8590c" },
    { max: Infinity, colour: "#b10026" },
];

export function speedColour(kmh) {
    return (SPEEDS.find((s) => kmh <= s.max) || SPEEDS[SPEEDS.length - 1]).colour;
}

export function speedLegend(fmt) {
    let lo = 0;
    const items = SPEEDS.map((s) => {
        const text = s.max === Infinity
            ? t("over {n} km/h", { n: fmt(lo) })
            : t("{a} to {b} km/h", { a: fmt(lo), b: fmt(s.max) });
        lo = s.max;
        return h("li", null, h("span", { class: "swatch line", style: `background:${s.colour}`, "aria-hidden": "true" }), text);
    });
    return h("figure", { class: "legend" },
        h("figcaption", null, t("Impact speed")), h("ul", null, items));
}
