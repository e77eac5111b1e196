import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a as t}from"./shared-engines-django-program.js";import"./shared-chunk-2.js";var i=o=>o.trimStart().startsWith(t);export{i as isDjangoResultLine};
