var A="python3 manage.py";export{A as a};
