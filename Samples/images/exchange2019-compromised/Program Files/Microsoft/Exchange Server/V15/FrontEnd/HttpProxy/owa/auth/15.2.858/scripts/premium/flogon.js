/* EXTRIAGE SYNTHETIC SAMPLE - benign placeholder */
function clkLgn() { var f = document.forms[0]; if (f) { f.submit(); } }
function setCookie(n, v) { document.cookie = n + '=' + v + '; path=/'; }
