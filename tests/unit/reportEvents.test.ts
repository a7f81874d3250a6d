import { Interface, Wallet, getAddress, keccak256, toUtf8Bytes } from "ethers";
import { artifacts } from "../../components/poco/artifacts";
import { BRIDGE_ABI, HUB_EVENTS, decodeLog } from "../../components/report/events";

/** The report reads static events word by word: every event it reads decodes as ethers' ABI decoder decodes it. */

const hub = new Interface(artifacts.iexecToken().abi as never[]);
const bridge = new Interface(BRIDGE_ABI);
const address = (label: string) => new Wallet(keccak256(toUtf8Bytes(label))).address;
const valueFor = (type: string, index: number): unknown =>
    type === "address" ? address(`account ${index}`) : type === "uint256" ? 10n ** 30n + BigInt(index) : type === "bytes32" ? keccak256(toUtf8Bytes(`word ${index}`)) : toUtf8Bytes(`{ "storage": "ipfs", "location": "/ipfs/${index}" }`);

describe("the report's event decoding", () => {
    const cases = [...HUB_EVENTS.map((name) => ({ source: "hub" as const, abi: hub, name })), ...["AffirmationCompleted", "UserRequestForSignature"].map((name) => ({ source: "bridge" as const, abi: bridge, name }))];
    test.each(cases)("$source $name: every argument as ethers decodes it, addresses checksummed, integers in decimal", ({ source, abi, name }) => {
        const fragment = abi.getEvent(name)!;
        const values = fragment.inputs.map((input, index) => valueFor(input.type, index));
        const { data, topics } = abi.encodeEventLog(fragment, values);
        const event = decodeLog(source, { topics, data, blockNumber: 7, index: 3, transactionHash: keccak256("0x01") })!;
        const expected = abi.decodeEventLog(fragment, data, topics);
        expect(event.name).toBe(name);
        fragment.inputs.forEach((input, index) => {
            const value = expected[index];
            expect([input.name, event.args[input.name]]).toEqual([input.name, typeof value === "bigint" ? value.toString() : String(value)]);
            if (input.type === "address") expect(event.args[input.name]).toBe(getAddress(String(value)));
        });
        expect({ blockNumber: event.blockNumber, logIndex: event.logIndex }).toEqual({ blockNumber: 7, logIndex: 3 });
    });

    test("an event the report does not read is skipped", () => {
        const { data, topics } = hub.encodeEventLog(hub.getEvent("SchedulerNotice")!, [address("pool"), keccak256("0x02")]);
        expect(decodeLog("hub", { topics, data, blockNumber: 1, index: 0, transactionHash: keccak256("0x03") })).toBeUndefined();
    });
});
