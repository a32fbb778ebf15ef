// The base map drawn from the city itself: a Leaflet GridLayer that fetches
// the GeoJSON of each Web-Mercator tile (GET /api/v1/cities/{cid}/tiles/
// {z}/{x}/{y}: roads from zoom 13, buildings from zoom 15) and paints it on
// a canvas. No tile server on the internet is needed.
// SPDX-License-Identifier: EUPL-1.2

/* global L */
import { BASE, seg } from "./api.js";

const MIN_ZOOM = 13;

// The roads and buildings come from OpenStreetMap (ODbL): credit it.
const OSM_CREDIT = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

const ROAD_WIDTH = {
    motorway: 5, trunk: 5, primary: 4.5, secondary: 4, tertiary: 3.5,
    residential: 3, unclassified: 3, living_street: 2.5, pedestrian: 2.5,
    service: 1.8, track: 1.5, footway: 1.2, cycleway: 1.2, path: 1.2,
};

function roadStyle(props, z) {
    const base = ROAD_WIDTH[props.highway] || 2;
    const scale = Math.max(0.6, Math.pow(1.35, z - 15));
    const major = ["motorway", "trunk", "primary", "secondary"].includes(props.highway);
    return {
        width: base * scale,
        stroke: props.highway === "pedestrian" || props.highway === "footway" ? "#c9c3b8"
            : major ? "#f3c77a" : "#ffffff",
        casing: "#9a948a",
    };
}

function drawPath(ctx, coords, toPx, close) {
    coords.forEach((c, i) => {
        const p = toPx(c);
        if (i === 0) ctx.moveTo(p.x, p.y);
        else ctx.lineTo(p.x, p.y);
    });
    if (close) ctx.closePath();
}

function lines(geom) {
    if (!geom) return [];
    switch (geom.type) {
    case "LineString": return [geom.coordinates];
    case "MultiLineString": return geom.coordinates;
    case "Polygon": return geom.coordinates;
    case "MultiPolygon": return geom.coordinates.flat();
    default: return [];
    }
}

function polygons(geom) {
    if (!geom) return [];
    if (geom.type === "Polygon") return [geom.coordinates];
    if (geom.type === "MultiPolygon") return geom.coordinates;
    return [];
}

function points(geom) {
    if (!geom) return [];
    if (geom.type === "Point") return [geom.coordinates];
    if (geom.type === "MultiPoint") return geom.coordinates;
    return [];
}

export function vectorBaseLayer(cid, options = {}) {
    const cache = new Map();
    const Layer = L.GridLayer.extend({
        createTile(coords, done) {
            const size = this.getTileSize();
            const canvas = document.createElement("canvas");
            const ratio = window.devicePixelRatio || 1;
            canvas.width = size.x * ratio;
            canvas.height = size.y * ratio;
            canvas.setAttribute("aria-hidden", "true");
            if (coords.z < MIN_ZOOM) {
                setTimeout(() => done(null, canvas), 0);
                return canvas;
            }
            const key = `${coords.z}/${coords.x}/${coords.y}`;
            let p = cache.get(key);
            if (!p) {
                p = fetch(`${BASE}/cities/${seg(cid)}/tiles/${key}`, {
                    credentials: "same-origin", headers: { Accept: "application/json" },
                }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
                cache.set(key, p);
            }
            p.then((fc) => {
                if (fc) this._paint(canvas, coords, fc, ratio);
                done(null, canvas);
            });
            return canvas;
        },

        _paint(canvas, coords, fc, ratio) {
            const map = this._map;
            if (!map) return;
            const size = this.getTileSize();
            const origin = coords.scaleBy(size);
            const toPx = (c) => {
                const p = map.project(L.latLng(c[1], c[0]), coords.z);
                return { x: p.x - origin.x, y: p.y - origin.y };
            };
            const ctx = canvas.getContext("2d");
            ctx.scale(ratio, ratio);
            ctx.lineJoin = "round";
            ctx.lineCap = "round";
            const feats = (fc && fc.features) || [];
            const of = (layer) => feats.filter((f) => f.properties && f.properties.layer === layer);
            // buildings
            ctx.fillStyle = "#d9d0c9";
            ctx.strokeStyle = "#bfb4aa";
            ctx.lineWidth = 0.7;
            for (const f of of("building")) {
                for (const poly of polygons(f.geometry)) {
                    ctx.beginPath();
                    for (const ring of poly) drawPath(ctx, ring, toPx, true);
                    ctx.fill("evenodd");
                    ctx.stroke();
                }
            }
            // roads: casing, then fill
            const roads = of("road");
            for (const pass of ["casing", "fill"]) {
                for (const f of roads) {
                    const st = roadStyle(f.properties, coords.z);
                    ctx.strokeStyle = pass === "casing" ? st.casing : st.stroke;
                    ctx.lineWidth = pass === "casing" ? st.width + 1.6 : st.width;
                    for (const line of lines(f.geometry)) {
                        ctx.beginPath();
                        drawPath(ctx, line, toPx, false);
                        ctx.stroke();
                    }
                }
            }
            // barriers
            ctx.strokeStyle = "#5a2d82";
            ctx.fillStyle = "#5a2d82";
            ctx.lineWidth = 1.5;
            for (const f of of("barrier")) {
                for (const line of lines(f.geometry)) {
                    ctx.beginPath();
                    drawPath(ctx, line, toPx, false);
                    ctx.stroke();
                }
                for (const pt of points(f.geometry)) {
                    const p = toPx(pt);
                    ctx.beginPath();
                    ctx.arc(p.x, p.y, 2, 0, 2 * Math.PI);
                    ctx.fill();
                }
            }
        },
    });
    return new Layer(Object.assign({
        minZoom: 0, maxZoom: 20, className: "agora-base", attribution: OSM_CREDIT,
    }, options));
}

let tileUrl = "";

// The tile server configured on the server (agora serve --tile-url, given by
// GET /api/v1/health as "tile_url"), or window.AGORA_TILE_URL.
export function setTileUrl(url) {
    tileUrl = typeof url === "string" ? url : "";
}

// A base layer for the map: the configured tile server when one is set,
// else the city's own vector tiles.
export function baseLayer(cid) {
    const url = tileUrl || (typeof window.AGORA_TILE_URL === "string" ? window.AGORA_TILE_URL : "");
    if (url) {
        return L.tileLayer(url, {
            maxZoom: 19,
            attribution: typeof window.AGORA_TILE_ATTRIBUTION === "string"
                ? window.AGORA_TILE_ATTRIBUTION : OSM_CREDIT,
        });
    }
    return vectorBaseLayer(cid);
}
