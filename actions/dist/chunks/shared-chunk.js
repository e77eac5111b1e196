import{a as r,b as i}from"./shared-chunk-2.js";var o=i((p,e)=>{e.exports=r("node:http")});export{o as a};
