import{a}from"./shared-system-clock.js";import"./shared-chunk-2.js";export{a as systemClock};
