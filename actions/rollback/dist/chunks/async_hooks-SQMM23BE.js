import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a as r,b as i}from"./chunk-X2Z7UIJJ.js";var o=i((p,e)=>{e.exports=r("node:async_hooks")});export default o();
