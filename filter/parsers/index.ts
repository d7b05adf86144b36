// Argument and request-body parsers (ModSecurity v3.0.9 semantics). See each module's header.
export { Collector, Flag, Coll, ErrorCode } from "./collector";
export { ByteBuf } from "./bytes";
export { UrlEncodedParser, urlDecodeNonStrict } from "./urlencoded";
export { parseCookies } from "./cookies";
export { MultipartParser, MultipartOptions } from "./multipart";
export { JsonParser, JsonOptions } from "./json";
export { XmlParser } from "./xml";
