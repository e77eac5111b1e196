import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a as r,b as i}from"./shared-chunk-2.js";var o=i((p,e)=>{e.exports=r("node:http")});export{o as a};
