build/obj/tools/parevm.o: tools/parevm.c tools/commands.h
tools/commands.h:
