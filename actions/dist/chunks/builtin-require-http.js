import{a}from"./shared-chunk.js";import"./shared-chunk-2.js";export default a();
