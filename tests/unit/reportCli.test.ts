import { getAddress } from "ethers";
import { ConfigError } from "../../components/config/checker";
import { membersFrom, parseReportArguments } from "../../components/report/cli";
import { partiesOf, type StackOutputs } from "../../components/report/parties";

/** The report command's arguments and the `members` config, each refusal naming the option or key. */

describe("npm run report -- <stack> [options]", () => {
    test("block numbers and dates bound the range; formats are a comma-separated list", () => {
        expect(parseReportArguments(["dev", "--from", "12", "--to", "2026-11-30T00:00:00Z", "--format", "json,csv,json", "--out", "r"])).toEqual({
            stack: "dev",
            from: 12,
            to: new Date("2026-11-30T00:00:00Z"),
            formats: ["json", "csv"],
            out: "r",
        });
        expect(parseReportArguments(["dev"])).toEqual({ stack: "dev", formats: ["json"] });
    });

    test("bad arguments are refused with what is allowed", () => {
        expect(() => parseReportArguments([])).toThrow("the stack name comes first");
        expect(() => parseReportArguments(["dev", "--format", "pdf"])).toThrow("--format must be one or more of json, html, csv, comma-separated (got 'pdf')");
        expect(() => parseReportArguments(["dev", "--from", "yesterday"])).toThrow("--from must be a block number or an ISO-8601 date");
        expect(() => parseReportArguments(["dev", "--to"])).toThrow("--to needs a value");
        expect(() => parseReportArguments(["dev", "--colour", "red"])).toThrow("unknown option '--colour'");
        expect(() => parseReportArguments(["dev", "--to", "1", "--to", "2"])).toThrow("--to is given twice");
    });

    test("members: organisations named like config names, each with its own addresses", () => {
        const acme = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
        expect(membersFrom({ acme: [acme.toLowerCase()] })).toEqual({ acme: [acme] });
        expect(membersFrom(undefined)).toEqual({});
        const issues = (raw: unknown) => {
            try {
                membersFrom(raw);
            } catch (error) {
                expect(error).toBeInstanceOf(ConfigError);
                return (error as ConfigError).issues;
            }
            throw new Error("expected a ConfigError");
        };
        expect(issues({ acme: [acme], globex: [acme] })).toEqual([`consortium:members.globex[0] ${acme} is already one of acme's addresses: an account belongs to one organisation`]);
        expect(issues({ Acme: [acme] })[0]).toMatch(/^consortium:members\.Acme names an organisation/);
        expect(issues({ unattributed: [acme] })[0]).toMatch(/and not 'unattributed'/);
        expect(issues({ acme: [] })).toEqual(["consortium:members.acme must be a non-empty list of addresses (got [])"]);
    });
});

describe("the report's parties: what the stack knows, then members", () => {
    const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`.replace(/^0x0/, "0x1");
    const [authority, bare, scheduler, worker, validator, admin, operator, member, transactor] = Array.from({ length: 9 }, (_, index) => getAddress(address(index + 1)));
    const outputs: StackOutputs = {
        chainId: 1,
        rpcUrl: "http://rpc",
        authorities: [
            { name: "acme-1", org: "acme", address: authority },
            { name: "solo", address: bare },
        ],
        poco: { admin, addresses: { diamond: admin, registries: { apps: admin, datasets: admin, workerpools: admin } }, deploymentBlock: 1 },
        bridge: { contracts: { homeBridge: admin }, validators: [{ name: "globex", address: validator }], deployer: admin },
        permissioning: { operator, roles: { [member]: ["transactor"], [transactor]: ["transactor"] } },
        workerpool: { org: "acme", scheduler, workers: [{ name: "w", address: worker, org: "initech" }] },
    };

    test("authorities by org (else their name), the workerpool's accounts by their orgs, validators by name, the stack's own accounts", () => {
        const parties = Object.fromEntries(partiesOf(outputs, { globex: [member] }).map((party) => [party.address, [party.organisation, party.roles]]));
        expect(parties).toEqual({
            [member]: ["globex", ["member", "transactor role"]],
            [authority]: ["acme", ["authority"]],
            [bare]: ["solo", ["authority"]],
            [scheduler]: ["acme", ["workerpool scheduler"]],
            [worker]: ["initech", ["worker"]],
            [validator]: ["globex", ["bridge validator"]],
            [admin]: ["consortium", ["PoCo admin", "bridge deployer"]],
            [operator]: ["consortium", ["permissions operator"]],
        });
        // A role member nobody claims is not attributed: the report lists it as unattributed when it is seen.
        expect(parties[transactor]).toBeUndefined();
    });

    test("members win over what the stack infers", () => {
        const party = partiesOf(outputs, { hooli: [authority] }).find((candidate) => candidate.address === authority)!;
        expect(party).toEqual({ address: authority, organisation: "hooli", roles: ["authority", "member"] });
    });
});
