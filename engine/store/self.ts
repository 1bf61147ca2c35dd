// This node's own name inside the engine: its namespace in the block store and its holder id in
// the owner's catalog are the same constant. How it is shown is decided by each UI alone (the API
// reports it as LOCAL_HOLDER, engine/api/types.ts): engine code never renders it.

/** This node's own data: its block-store namespace and its holder id (peers are their key texts). */
export const SELF = 'self';
