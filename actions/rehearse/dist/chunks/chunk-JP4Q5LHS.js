import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a as e,b as r}from"./chunk-X2Z7UIJJ.js";var p=r((s,i)=>{i.exports=e("node:string_decoder")});var q=r((t,o)=>{o.exports=e("node:events")});export{p as a,q as b};
