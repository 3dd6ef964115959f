token
