import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{hash as t}from"node:crypto";var h=/^sha256:[0-9a-f]{64}$/;function n(r){return`sha256:${t("sha256",r,"hex")}`}export{h as a,n as b};
