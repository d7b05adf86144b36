import { regexTableCrossCheck } from "./crs-xcheck";
regexTableCrossCheck("v3.3.4");
