export { NksClient, NksError, validatePolicy, calendar } from "./index.js";
export { default } from "../init.js";
