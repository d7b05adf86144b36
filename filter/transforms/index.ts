// Transformations (SecLang t:) over raw bytes, byte-exact with ModSecurity v3 (libmodsecurity 3.0.9).
export { TransformId, TRANSFORM_COUNT, UNICODE_MAP_SIZE, MAX_TRANSFORM_OUTPUT } from "./ids";
export { TransformPipeline, applyTransform } from "./pipeline";
export { Scratch } from "./scratch";
export { buildUnicodeMap } from "./unicodemap";
export { transformIdByName } from "./names";
