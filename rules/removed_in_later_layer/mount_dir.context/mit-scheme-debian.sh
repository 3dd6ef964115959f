echo mit
