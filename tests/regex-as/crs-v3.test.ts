import { crsCrossCheck } from "./crs-xcheck";
crsCrossCheck("v3.3.4");
