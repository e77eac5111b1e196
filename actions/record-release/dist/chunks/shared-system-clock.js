import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
var c={now:()=>Date.now(),sleep(o,e){return new Promise(r=>{if(e?.aborted||o<=0)return r();let t=()=>{clearTimeout(n),e?.removeEventListener("abort",t),r()},n=setTimeout(t,o);e?.addEventListener("abort",t,{once:!0})})}};export{c as a};
