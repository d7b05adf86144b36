import { crsSuite } from "./crs-suite";
crsSuite("v4.28.0");
