// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/**
 * @title Consortium transaction permissions
 * @notice The chain spec's `transactionPermissionContract`: every authority asks it, for every
 * transaction, which kinds of transaction the sender may send. It lives in genesis, so the chain is
 * permissioned from its first block, and answers through every interface version a client may use
 * (v1 to v4); `contractVersion` tells the client which one to call.
 *
 * Roles are bits of `rolesOf[account]`; an account may hold several. Admins change roles and the
 * open flag; while `open` is set, everyone may send anything (a development chain).
 */
contract ConsortiumTxPermissions {
    // Transaction kinds, as the clients classify them.
    uint32 internal constant NONE = 0;
    uint32 internal constant BASIC = 0x01; // value transfer to an account without code
    uint32 internal constant CALL = 0x02; // call to a contract
    uint32 internal constant CREATE = 0x04; // contract creation
    uint32 internal constant ALL = 0xffffffff;

    uint8 public constant ROLE_SENDER = 0x01; // plain transfers
    uint8 public constant ROLE_TRANSACTOR = 0x02; // transfers and contract calls
    uint8 public constant ROLE_DEPLOYER = 0x04; // transfers, calls and contract creation
    uint8 public constant ROLE_ADMIN = 0x08; // manages roles: transfers and calls

    /** The interface version the chain's clients call; set in genesis from the client profile. */
    uint256 public contractVersion;
    bool public open;
    mapping(address => uint8) public rolesOf;
    address[] internal memberList;
    /** One-based position in memberList; zero for accounts without a role. */
    mapping(address => uint256) internal memberPosition;

    event RolesChanged(address indexed account, uint8 roles);
    event OpenChanged(bool open);

    modifier onlyAdmin() {
        require(rolesOf[msg.sender] & ROLE_ADMIN != 0, "TxPermissions: caller is not an admin");
        _;
    }

    function contractName() public pure returns (string memory) {
        return "TX_PERMISSION_CONTRACT";
    }

    function contractNameHash() external pure returns (bytes32) {
        return keccak256(bytes(contractName()));
    }

    /** The kinds of transaction `sender` may send. */
    function typesOf(address sender) public view returns (uint32) {
        if (open) return ALL;
        uint8 roles = rolesOf[sender];
        uint32 types = NONE;
        if (roles & ROLE_SENDER != 0) types |= BASIC;
        if (roles & (ROLE_TRANSACTOR | ROLE_ADMIN) != 0) types |= BASIC | CALL;
        if (roles & ROLE_DEPLOYER != 0) types |= BASIC | CALL | CREATE;
        return types;
    }

    // The answer depends on the sender alone, so clients may cache it per block and sender.

    /** v1 (no contractVersion in the oldest clients). */
    function allowedTxTypes(address sender) external view returns (uint32) {
        return typesOf(sender);
    }

    /** v2: Parity 2.x, OpenEthereum, Nethermind. */
    function allowedTxTypes(address sender, address, uint256) external view returns (uint32, bool) {
        return (typesOf(sender), true);
    }

    /** v3: OpenEthereum 3.x, Nethermind. */
    function allowedTxTypes(address sender, address, uint256, uint256, bytes calldata) external view returns (uint32, bool) {
        return (typesOf(sender), true);
    }

    /** v4 (EIP-1559 fields): Nethermind. */
    function allowedTxTypes(address sender, address, uint256, uint256, uint256, uint256, bytes calldata) external view returns (uint32, bool) {
        return (typesOf(sender), true);
    }

    /** Every account that holds a role. */
    function members() external view returns (address[] memory) {
        return memberList;
    }

    /** Sets the roles of each account (zero revokes them all). An admin cannot take its own admin role away. */
    function setRoles(address[] calldata accounts, uint8[] calldata roles) external onlyAdmin {
        require(accounts.length == roles.length, "TxPermissions: accounts and roles differ in length");
        for (uint256 index = 0; index < accounts.length; index++) {
            address account = accounts[index];
            uint8 next = roles[index];
            require(next <= (ROLE_SENDER | ROLE_TRANSACTOR | ROLE_DEPLOYER | ROLE_ADMIN), "TxPermissions: unknown role");
            require(account != msg.sender || next & ROLE_ADMIN != 0, "TxPermissions: an admin cannot revoke its own admin role");
            if (rolesOf[account] == next) continue;
            rolesOf[account] = next;
            if (next != 0 && memberPosition[account] == 0) {
                memberList.push(account);
                memberPosition[account] = memberList.length;
            } else if (next == 0 && memberPosition[account] != 0) {
                uint256 position = memberPosition[account];
                address last = memberList[memberList.length - 1];
                memberList[position - 1] = last;
                memberPosition[last] = position;
                memberList.pop();
                memberPosition[account] = 0;
            }
            emit RolesChanged(account, next);
        }
    }

    function setOpen(bool value) external onlyAdmin {
        if (open == value) return;
        open = value;
        emit OpenChanged(value);
    }
}
