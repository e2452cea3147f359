# Empty dependencies file for cyberpact.
# This may be replaced when dependencies are built.
