#!/usr/bin/env node
/**
 * A stand-in for the `random` provider plugin, for engine tests and benchmarks only. The real
 * pulumi-resource-random cannot be built here: the Go module proxy serves no version of
 * github.com/pulumi/pulumi-random/provider/v4 (see README, "The real engine"). This serves the two resources the
 * program uses, with the real provider's input and output names (@pulumi/random 4.21.2's randomBytes.ts and
 * randomPassword.ts) and its replace-on-any-input-change rule; the outputs' secrecy comes from the SDK
 * (`additionalSecretOutputs`), as with the real plugin. Plain JavaScript: it starts as fast as a plugin should.
 */
"use strict";
const { randomBytes, randomInt } = require("crypto");
const provider = require("@pulumi/pulumi/provider");

const VERSION = require("@pulumi/random/package.json").pulumi.version;
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";
const CLASSES = { lower: "abcdefghijklmnopqrstuvwxyz", upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", numeric: "0123456789" };
const BYTES = "random:index/randomBytes:RandomBytes";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const INPUTS = {
    [BYTES]: ["length", "keepers"],
    [PASSWORD]: ["length", "lower", "upper", "numeric", "special", "overrideSpecial", "minLower", "minUpper", "minNumeric", "minSpecial", "keepers"],
};

function typeOf(urn) {
    const qualified = urn.split("::")[2];
    return qualified.slice(qualified.lastIndexOf("$") + 1);
}

function password(inputs) {
    const enabled = (name) => inputs[name] !== false;
    const alphabet = [
        ...Object.entries(CLASSES).filter(([name]) => enabled(name)).map(([, characters]) => characters),
        ...(enabled("special") ? [typeof inputs.overrideSpecial === "string" ? inputs.overrideSpecial : SPECIAL] : []),
    ].join("");
    const result = Array.from({ length: Number(inputs.length) }, () => alphabet[randomInt(alphabet.length)]).join("");
    return { ...inputs, result };
}

function outputsOf(type, inputs) {
    if (type === BYTES) {
        const bytes = randomBytes(Number(inputs.length));
        return { ...inputs, base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    }
    if (type === PASSWORD) return password(inputs);
    throw new Error(`the random stand-in does not serve ${type}`);
}

const standIn = {
    version: VERSION,
    async check(_urn, _olds, news) {
        return { inputs: news };
    },
    async diff(_id, urn, olds, news) {
        const replaces = (INPUTS[typeOf(urn)] || []).filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
        return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    },
    async create(urn, inputs) {
        return { id: randomBytes(8).toString("hex"), outs: outputsOf(typeOf(urn), inputs) };
    },
    async read(id, _urn, props) {
        return { id, props };
    },
    async delete() {},
};

provider.main(standIn, process.argv.slice(2));
