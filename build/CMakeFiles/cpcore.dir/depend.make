# Empty dependencies file for cpcore.
# This may be replaced when dependencies are built.
