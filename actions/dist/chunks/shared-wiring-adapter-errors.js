import{c as r}from"./shared-core-errors.js";var s=class extends r{constructor(t,e){super(`${t} is required with ${e}`)}};export{s as a};
