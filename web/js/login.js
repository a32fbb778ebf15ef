// The sign-in page: POST /api/v1/session {"user", "password"}.
// SPDX-License-Identifier: EUPL-1.2

import { api, ApiError } from "./api.js";
import { t } from "./i18n.js";
import { h, clear, append } from "./dom.js";
import { signedIn, setTitle, notice, go, state } from "./app.js";

export async function renderLogin(page) {
    setTitle(t("Sign in"));
    const msg = h("div", { class: "login-message" });
    const user = h("input", {
        id: "login-user", name: "user", type: "text", autocomplete: "username",
        required: true, autocapitalize: "none", spellcheck: "false",
    });
    const password = h("input", {
        id: "login-password", name: "password", type: "password",
        autocomplete: "current-password", required: true,
    });
    const submit = h("button", { type: "submit" }, t("Sign in"));

    const form = h("form", { class: "login", novalidate: true },
        h("div", { class: "field" }, h("label", { for: "login-user" }, t("User name")), user),
        h("div", { class: "field" }, h("label", { for: "login-password" }, t("Password")), password),
        h("div", { class: "actions" }, submit),
        msg);

    form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        clear(msg);
        if (!user.value || !password.value) {
            append(msg, notice("error", t("Enter your user name and password.")));
            (user.value ? password : user).focus();
            return;
        }
        submit.disabled = true;
        try {
            const session = await api.post("/session", { user: user.value, password: password.value });
            await signedIn(session);
            const after = sessionStorage.getItem("agora.after");
            sessionStorage.removeItem("agora.after");
            go(after && after !== "#/login" ? after : "#/");
        } catch (e) {
            submit.disabled = false;
            let text;
            if (e instanceof ApiError && e.status === 401) {
                text = t("Wrong user name or password.");
            } else if (e instanceof ApiError && e.status === 429) {
                const after = Number(e.headers && e.headers.get("Retry-After"));
                text = after > 0
                    ? t("Too many attempts. Try again in {n} minutes.", { n: Math.max(1, Math.ceil(after / 60)) })
                    : t("Too many attempts. Try again later.");
            } else if (e instanceof ApiError && e.status === 0) {
                text = t("The server cannot be reached.");
            } else {
                text = t("Sign-in failed: {message}", { message: e.message });
            }
            append(msg, notice("error", text));
            password.value = "";
            password.focus();
        }
    });

    append(page,
        h("section", { class: "login-box", "aria-labelledby": "login-title" },
            h("h1", { id: "login-title" }, t("Sign in")),
            h("p", { class: "lead" }, t("The public spaces of your city: their approaches, their assessment and their protection plan.")),
            state.session ? h("p", null, t("You are signed in."), " ",
                h("a", { href: "#/" }, t("Back to the cities"))) : null,
            form));
    page.onshown = () => user.focus();
}
