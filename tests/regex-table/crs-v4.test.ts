import { regexTableCrossCheck } from "./crs-xcheck";
regexTableCrossCheck("v4.28.0");
