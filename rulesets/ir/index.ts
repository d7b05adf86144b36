export type * from "./types";
export * from "./catalog";
