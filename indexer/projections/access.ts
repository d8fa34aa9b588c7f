// AccessControl and Pausable events, common to every contract: who holds which role, which contract is paused.
import type { Handlers } from "./context";

export const access: Handlers = {
  RoleGranted: ({ store, ev }, a) => store.put("roles", { contract: ev.contract, role: a.role, account: a.account }),
  RoleRevoked: ({ store, ev }, a) => store.delete("roles", { contract: ev.contract, role: a.role, account: a.account }),
  Paused: ({ store, ev }) => store.put("pauses", { contract: ev.contract, paused: 1 }),
  Unpaused: ({ store, ev }) => store.put("pauses", { contract: ev.contract, paused: 0 }),
};
