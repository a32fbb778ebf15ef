// The JSON API of agora serve (docs/internals/server.md): same-origin
// requests with the session cookie, the CSRF token on every request that
// changes state, errors thrown as ApiError with the status and message.
// SPDX-License-Identifier: EUPL-1.2

export const BASE = "/api/v1";

let csrf = null;

export function setCsrf(token) {
    csrf = token || null;
}

export class ApiError extends Error {
    constructor(status, message, body, headers) {
        super(message);
        this.name = "ApiError";
        this.status = status;
        this.body = body;
        this.headers = headers;
    }
}

async function request(method, path, body) {
    const headers = { Accept: "application/json" };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
    }
    if (method !== "GET" && method !== "HEAD" && csrf) headers["X-CSRF-Token"] = csrf;
    let res;
    try {
        res = await fetch(BASE + path, init);
    } catch (e) {
        throw new ApiError(0, "The server cannot be reached.", null, null);
    }
    if (res.status === 204) return null;
    const type = res.headers.get("Content-Type") || "";
    let data = null;
    if (type.includes("json")) {
        try {
            data = await res.json();
        } catch (e) {
            data = null;
        }
    } else {
        data = await res.text();
    }
    if (!res.ok) {
        const msg = data && typeof data === "object" && typeof data.error === "string"
            ? data.error : `HTTP ${res.status}`;
        throw new ApiError(res.status, msg, data, res.headers);
    }
    return data;
}

export const api = {
    get: (path) => request("GET", path),
    post: (path, body) => request("POST", path, body === undefined ? {} : body),
    put: (path, body) => request("PUT", path, body),
    del: (path) => request("DELETE", path),
};

// A path segment for the URL: ids come from the API, still encoded.
export function seg(v) {
    return encodeURIComponent(String(v));
}
