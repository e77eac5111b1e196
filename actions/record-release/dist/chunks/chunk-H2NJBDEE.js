import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{b as r}from"./chunk-7ZYONC46.js";var s=class extends r{constructor(t,e){super(`${t} is required with ${e}`)}};export{s as a};
