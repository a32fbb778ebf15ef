// Translations: the catalogue of GET /api/v1/i18n/{lang} maps an English
// text (the msgid of po/agora.pot) to its translation. t("English text")
// returns the translation, or the English text when there is none;
// t("{n} entries", {n: 3}) fills the placeholders after translating.
// po/extract.py extracts the texts passed to t() from web/js/*.js.
// SPDX-License-Identifier: EUPL-1.2

import { api, seg } from "./api.js";

// Each language named in itself, so a reader finds his own whatever the
// current language.
export const LANGUAGES = [
    ["en", "English"],
    ["fr", "Français"],
    ["de", "Deutsch"],
    ["it", "Italiano"],
    ["nl", "Nederlands"],
];

let lang = "en";
let messages = {};

export function currentLang() {
    return lang;
}

export function isLang(code) {
    return LANGUAGES.some(([c]) => c === code);
}

// Loads the catalogue of `code` and makes it current; English needs none.
// The <html lang> follows.
export async function setLang(code) {
    if (!isLang(code)) code = "en";
    let msgs = {};
    if (code !== "en") {
        try {
            const cat = await api.get(`/i18n/${seg(code)}`);
            msgs = (cat && cat.messages) || {};
        } catch (e) {
            msgs = {};
        }
    }
    lang = code;
    messages = msgs;
    document.documentElement.lang = code;
    return code;
}

export function t(text, params) {
    let s = Object.prototype.hasOwnProperty.call(messages, text) && messages[text]
        ? messages[text] : text;
    if (params) {
        s = s.replace(/\{(\w+)\}/g, (m, k) =>
            Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : m);
    }
    return s;
}

const formats = new Map();

// A number in the current language: fmt(1234.5, 1) → "1,234.5" (en),
// "1 234,5" (fr). digits: the fraction digits (default 0).
export function fmt(n, digits = 0) {
    if (n === null || n === undefined || Number.isNaN(Number(n))) return "–";
    const key = `${lang}:${digits}`;
    let f = formats.get(key);
    if (!f) {
        f = new Intl.NumberFormat(lang, {
            minimumFractionDigits: digits,
            maximumFractionDigits: digits,
        });
        formats.set(key, f);
    }
    return f.format(Number(n));
}

// A sum in euros in the current language.
export function fmtEur(n) {
    if (n === null || n === undefined) return "–";
    return new Intl.NumberFormat(lang, {
        style: "currency", currency: "EUR", maximumFractionDigits: 0,
    }).format(Number(n));
}

// An ISO time stamp as a date and time in the current language.
export function fmtDate(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(d);
}
