print("ddnslab")
