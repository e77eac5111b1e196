function n(r){let e;return()=>(e??=r(),e)}export{n as a};
