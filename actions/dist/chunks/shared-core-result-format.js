var t="stepback/result@1",s=new RegExp(`^\\s*\\{.*"format":"${t.replace("/","\\/")}"`),o=e=>s.test(e);export{t as a,o as b};
