import { crsCrossCheck } from "./crs-xcheck";
crsCrossCheck("v4.28.0");
