import { crsSuite } from "./crs-suite";
crsSuite("v3.3.4");
