import { FetchRequest, JsonRpcProvider, type JsonRpcApiProviderOptions } from "ethers";

/** Basic-auth credentials of an RPC gateway member (the password is a secret). */
export interface RpcCredentials {
    readonly username: string;
    readonly password: string;
}

/**
 * A JSON-RPC provider for `pulumi up`'s own calls. Credentials go in the Authorization header, never
 * in the URL, so the URL can be logged and kept in plain state.
 */
export function connectRpc(rpcUrl: string, credentials?: RpcCredentials, chainId?: number, options: JsonRpcApiProviderOptions = {}): JsonRpcProvider {
    const request = new FetchRequest(rpcUrl);
    if (credentials) {
        // The development stack's gateway listens on plain HTTP on the host's loopback.
        request.allowInsecureAuthentication = true;
        request.setCredentials(credentials.username, credentials.password);
    }
    return new JsonRpcProvider(request, chainId, { staticNetwork: true, ...options });
}
